/** The CLI's help text, printed after the message of a `UsageError`. */
export const usage = `usage: outpost-relay <command> [options]

commands:
  serve                     run the relay
  admin add NAME            create an admin; prints its token once (the first one also
                            makes the fleet's root key and prints its recovery key once)
  admin list                list admins
  admin revoke NAME         revoke an admin's token; a running relay closes its connections
  admin key list            list the admin keys the dashboard registered, with their status
  admin key approve NAME KEY_ID
                            certify admin NAME's key with the recovery key
  admin key revoke KEY_ID   revoke an admin key with the recovery key (final)
  root init                 make the fleet's root key; prints its recovery key once
  root show                 print the root key's fingerprint and public key (agents pin them)
  enroll-secret show        print the fleet enrollment secret (created on first use)
  enroll-secret rotate      replace the enrollment secret; enrolled devices keep working
  enroll-token create [--device ID] [--ttl 24h] [--url URL]
                            a one-time enrollment token (default 24 h, at most 30 d) and the
                            install commands that carry it; --device: only for that ID, which
                            it may replace
  enroll-token list | revoke TOKEN_ID
  device list [--json]      devices with their status (active, revoked, removed)
  device revoke ID          refuse its token and close its connections; marked in the fleet
  device remove ID          revoke it and drop it from the fleet; its documents stay on disk
  device purge ID           delete a removed device's documents (the relay must be stopped)
  device pending [--all]    re-enrollments of known IDs waiting for an admin
  device approve REQUEST_ID | device deny REQUEST_ID

options:
  --data DIR                data folder (or "data" in the config file)
  --config FILE             TOML config file (see relay/relay.example.toml)
  --host HOST               listen address (default 127.0.0.1)
  --port PORT               listen port (default 8080; 0 picks a free one)
  --tls-cert FILE           PEM certificate: serve HTTPS/WSS (with --tls-key)
  --tls-key FILE            PEM private key
  --dashboard DIR           built dashboard to serve (default dashboard/dist)
  --url URL                 the relay's address as devices reach it (or public_url)
  --json                    machine-readable output (device list, device pending, enroll-token create)
  --log-level LEVEL         fatal|error|warn|info|debug|trace (default info)
  --root-key-out FILE       root init, first admin add: write the recovery key to FILE
                            (mode 0600, never over an existing file) instead of stdout
  --root-key FILE           admin key approve|revoke: read the recovery key from FILE
                            (else from $OUTPOST_ROOT_KEY, else from stdin when it is piped)
  --reason TEXT             admin key revoke: why, for the people reading the key list
`;
