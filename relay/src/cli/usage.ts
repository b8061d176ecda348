/** The CLI's help text, printed after the message of a `UsageError`. */
export const usage = `usage: outpost-relay <command> [options]

commands:
  serve                     run the relay
  admin add NAME            create an admin; prints its token once
  admin list                list admins
  admin revoke NAME         revoke an admin's token; a running relay closes its connections
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
`;
