import type { Inventory } from "@outpost/shared-model";
import { For, type JSX, Show } from "solid-js";
import { formatTime } from "../ui/format.js";

/** What the agent last reported about the machine. */
export function InventoryPanel(props: { inventory: Inventory | null }): JSX.Element {
  return (
    <section class="card" aria-labelledby="inventory-title">
      <h2 id="inventory-title">Inventory</h2>
      <Show
        when={props.inventory}
        fallback={<p class="muted">The agent has not reported an inventory yet.</p>}
      >
        {(inventory) => (
          <>
            <dl class="facts">
              <dt>Hostname</dt>
              <dd>{inventory().hostname}</dd>
              <dt>OS</dt>
              <dd>
                {inventory().os.distro} {inventory().os.release} ({inventory().os.arch}), kernel{" "}
                {inventory().os.kernel}
              </dd>
              <dt>Hardware</dt>
              <dd>
                {inventory().hardware.manufacturer} {inventory().hardware.model}
              </dd>
              <dt>Serial</dt>
              <dd>{inventory().hardware.serial || "—"}</dd>
              <dt>CPU</dt>
              <dd>
                {inventory().hardware.cpu}, {inventory().hardware.cores} cores
              </dd>
              <dt>Memory</dt>
              <dd>{(inventory().hardware.memoryMiB / 1024).toFixed(1)} GiB</dd>
              <dt>Software</dt>
              <dd>{inventory().software.count} packages</dd>
              <dt>Collected</dt>
              <dd>{formatTime(inventory().collectedAt)}</dd>
            </dl>
            <h3>Disks</h3>
            <ul class="plain">
              <For each={inventory().disks}>
                {(disk) => (
                  <li>
                    {disk.name} — {disk.type}, {disk.sizeGiB} GiB
                    <Show when={disk.health}>
                      {(health) => (
                        <span class={`pill ${health() === "Ok" ? "ok" : "warning"}`}>
                          {health()}
                        </span>
                      )}
                    </Show>
                  </li>
                )}
              </For>
            </ul>
            <h3>Network</h3>
            <ul class="plain">
              <For each={inventory().nics}>
                {(nic) => (
                  <li>
                    {nic.name} {nic.mac} {nic.ipv4.join(", ")}
                    {nic.speedMbps ? ` (${nic.speedMbps} Mb/s)` : ""}
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
    </section>
  );
}
