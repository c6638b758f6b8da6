/** The ReserveInventory step of the place-order saga (action and compensation; see step-handler.ts). */
import { sagaStepEntry } from "./step-entry.js";

/** Invoked by the state machine with the saga step event. */
export const handler = sagaStepEntry("ReserveInventory", "reserve-inventory");
