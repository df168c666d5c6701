/**
 * What the panel says when a generation fails, in words a musician can act on. Inference errors
 * keep their wire name (inference/contract.ts InferenceErrorName); anything else is shown as is.
 */

export interface PanelError {
  /** The line shown in the panel. */
  message: string;
  /** The host cannot serve another request as it is: the next try must start a fresh one. */
  hostGone: boolean;
}

export function describeError(error: unknown): PanelError {
  const name = (error as { name?: unknown } | null)?.name;
  const detail = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'GeneratorInputError':
      return { message: detail, hostGone: false };
    case 'RequestError':
      return { message: `The AI bandmate cannot do that: ${detail}`, hostGone: false };
    case 'ModelLoadError':
      return {
        message: `The AI bandmate is unavailable: its model could not be loaded (${detail}). Try again, or ask whoever hosts the room.`,
        hostGone: true,
      };
    case 'HostCrashed':
      return { message: `The AI bandmate stopped unexpectedly (${detail}). It starts again on your next try.`, hostGone: true };
    case 'ProtocolError':
      return { message: `The AI bandmate did not understand this app (${detail}). Reload the page.`, hostGone: false };
    case 'EngineError':
      return { message: `The AI bandmate failed: ${detail}`, hostGone: false };
    default:
      return { message: `Something went wrong while generating: ${detail}`, hostGone: false };
  }
}
