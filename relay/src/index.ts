/**
 * @outpost/relay — arrives with its own issue. The package exists now so the workspace, the type
 * check and the test projects cover it from the start.
 */
export {};
