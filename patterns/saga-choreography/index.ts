export { CHOREOGRAPHY_DEFAULTS, CHOREOGRAPHY_LIMITS } from "./defaults.js";
export type * from "./props.js";
export { SagaChoreography } from "./saga-choreography.js";
export { ChoreographyService, type ChoreographyServiceAlarms } from "./service.js";
export { CHOREOGRAPHY_RULES, consumedEvents, serviceSource } from "./validate.js";
