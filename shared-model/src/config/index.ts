/**
 * `@outpost/shared-model/config`: TOML config files for the Node processes (relay, agent).
 */
export { ConfigFileError, loadTomlConfig } from "./toml-config.js";
