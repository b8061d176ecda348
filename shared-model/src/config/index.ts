/**
 * `@outpost/shared-model/config`: TOML config files for the Node processes (relay, agent).
 */
export { ConfigFileError, loadTomlConfig, writeTomlConfig } from "./toml-config.js";
