import { createUniqueId, For, type JSX } from "solid-js";

/**
 * A choice of one among a few, shown as joined buttons: real radio inputs in a fieldset, so
 * arrow keys, labels and screen readers work as with any radio group.
 */
export function Segmented<T extends string>(props: {
  legend: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}): JSX.Element {
  const name = createUniqueId();
  return (
    <fieldset class="segmented">
      <legend class="visually-hidden">{props.legend}</legend>
      <For each={props.options}>
        {(option) => (
          <label>
            <input
              class="segmented-input"
              type="radio"
              name={name}
              value={option.value}
              checked={props.value === option.value}
              onChange={() => props.onChange(option.value)}
            />
            <span>{option.label}</span>
          </label>
        )}
      </For>
    </fieldset>
  );
}
