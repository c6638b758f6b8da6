export * from "./defaults.js";
export type * from "./props.js";
export * from "./saga-action.js";
export { SfnSaga, type SfnSagaAlarms } from "./sfn-saga.js";
export { SAGA_RULES } from "./validate.js";
