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

options:
  --data DIR                data folder (or "data" in the config file)
  --config FILE             TOML config file (see relay/relay.example.toml)
  --host HOST               listen address (default 127.0.0.1)
  --port PORT               listen port (default 8080; 0 picks a free one)
  --tls-cert FILE           PEM certificate: serve HTTPS/WSS (with --tls-key)
  --tls-key FILE            PEM private key
  --dashboard DIR           built dashboard to serve (default dashboard/dist)
  --log-level LEVEL         fatal|error|warn|info|debug|trace (default info)
  --root-key-out FILE       root init, first admin add: write the recovery key to FILE
                            (mode 0600, never over an existing file) instead of stdout
  --root-key FILE           admin key approve|revoke: read the recovery key from FILE
                            (else from $OUTPOST_ROOT_KEY, else from stdin when it is piped)
  --reason TEXT             admin key revoke: why, for the people reading the key list
`;
