/**
 * Test support: a relay's health and metrics as an operator sees them, over HTTP.
 */

/** The body of `GET /healthz`. */
export interface RelayHealth {
  status: string;
  uptimeS: number;
  documentsLoaded: number;
  connections: number;
  enrolledDevices: number;
  ownedDocuments: number;
}

/** `GET /healthz`; throws unless the relay answers 200. */
export async function fetchHealth(relayUrl: string): Promise<RelayHealth> {
  const response = await fetch(`${relayUrl}/healthz`);
  if (response.status !== 200) throw new Error(`/healthz answered ${response.status}`);
  return (await response.json()) as RelayHealth;
}

/** `GET /metrics` as Prometheus text. */
export async function fetchMetrics(relayUrl: string): Promise<string> {
  const response = await fetch(`${relayUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/**
 * The value of one sample in Prometheus text, e.g. `metricValue(text,
 * 'outpost_relay_rejections_total{reason="malformed-frame"}')`; 0 when it is absent (a counter
 * that never moved has no labelled sample).
 */
export function metricValue(metrics: string, sample: string): number {
  for (const line of metrics.split("\n")) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return 0;
}

/** The relay's rejection counter for `reason`. */
export async function rejectionCount(relayUrl: string, reason: string): Promise<number> {
  return metricValue(
    await fetchMetrics(relayUrl),
    `outpost_relay_rejections_total{reason="${reason}"}`,
  );
}

/** `POST /v1/enroll` as an agent sends it; returns the device token or throws the relay's error. */
export async function enrollDeviceOverHttp(
  relayUrl: string,
  request: { enrollmentSecret: string; deviceId: string; hostname: string; deviceDocUrl: string },
): Promise<string> {
  const response = await fetch(`${relayUrl}/v1/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  const body = (await response.json()) as { deviceToken?: string; error?: string };
  if (response.status !== 200 || body.deviceToken === undefined) {
    throw new Error(`enrolling ${request.deviceId} failed with ${response.status}: ${body.error}`);
  }
  return body.deviceToken;
}
