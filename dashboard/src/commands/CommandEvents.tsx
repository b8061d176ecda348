import {
  type Command,
  type CommandEvent,
  type CommandState,
  type Intent,
  intentItem,
  isIntent,
} from "@outpost/shared-model";
import { For, type JSX, Show } from "solid-js";
import { createVerdict, type VerifyItem } from "../trust/create-verdict.js";
import { SignatureBadge } from "../trust/SignatureBadge.js";
import { formatTime } from "../ui/format.js";
import { describeEvent } from "./describe-event.js";

/**
 * A command's log: who asked what (each request with who signed it) and the fact that answered.
 * Shown when the command is opened, so only those requests are verified.
 */
export function CommandEvents(props: {
  command: Command;
  state: CommandState;
  verify: VerifyItem;
  learnt: () => number;
}): JSX.Element {
  return (
    <ol class="events">
      <For each={props.command.events}>
        {(event) => (
          <EventLine
            event={event}
            commandId={props.command.spec.id}
            state={props.state}
            verify={props.verify}
            learnt={props.learnt}
          />
        )}
      </For>
    </ol>
  );
}

function EventLine(props: {
  event: CommandEvent;
  commandId: Command["spec"]["id"];
  state: CommandState;
  verify: VerifyItem;
  learnt: () => number;
}): JSX.Element {
  const answer = () =>
    isIntent(props.event)
      ? props.state.requests.find((r) => r.intent.id === props.event.id)?.answer
      : undefined;
  const verdict = createVerdict(
    props.verify,
    () => (isIntent(props.event) ? intentItem(props.commandId, props.event) : undefined),
    props.learnt,
  );
  return (
    <li class={isIntent(props.event) ? "intent" : "fact"}>
      <span class="when">{formatTime(props.event.at)}</span>{" "}
      <span class="who">{props.event.by}</span> {describeEvent(props.event)}
      <Show when={isIntent(props.event)}>
        {" "}
        <SignatureBadge view={verdict()} />
      </Show>
      <Show when={isIntent(props.event) && props.event.type !== "note"}>
        <span class="answer">
          {" → "}
          {answer() ? `answered: ${describeEvent(answer() as CommandEvent)}` : "not answered yet"}
        </span>
      </Show>
    </li>
  );
}

/**
 * The requests (cancel, retry) the agent refused because it did not trust them (`intent-rejected`:
 * unsigned, badly signed, or by a revoked key), said plainly under the command: an admin who
 * asked must not believe it happened.
 */
export function RefusedRequests(props: { state: CommandState }): JSX.Element {
  const refused = () =>
    props.state.requests.filter((request) => request.answer?.type === "intent-rejected");
  return (
    <For each={refused()}>
      {(request) => (
        <p class="error" data-testid="request-refused">
          The agent refused {request.intent.by}'s {requestName(request.intent)}:{" "}
          {(request.answer as { reason?: string }).reason}
        </p>
      )}
    </For>
  );
}

function requestName(intent: Intent): string {
  return intent.type === "cancel-requested" ? "cancel request" : "retry request";
}
