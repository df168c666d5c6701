/**
 * In the test page: records what a live AudioContext plays, sample for sample, through an
 * AudioWorklet tap (a MediaRecorder would compress it). Used by the sampler's live tests and the
 * benchmark; bundled into the page by audio-page.ts.
 */
const TAP = `
class RiffroomTap extends AudioWorkletProcessor {
  constructor() { super(); this.on = true; this.port.onmessage = () => { this.on = false; this.port.postMessage('done'); }; }
  process(inputs) {
    const input = inputs[0];
    // An input with nothing active upstream comes as zero channels: silence, still posted, so
    // the recording's timeline has no holes.
    if (this.on) this.port.postMessage({ time: currentTime, channels: input ? input.map((c) => c.slice()) : [] });
    return this.on;
  }
}
registerProcessor('riffroom-tap', RiffroomTap);
`;

export interface Recording {
  sampleRate: number;
  /** The context time of the first recorded sample. */
  startTime: number;
  channels: Float32Array[];
}

export interface Recorder {
  stop(): Promise<Recording>;
}

const loaded = new WeakSet<BaseAudioContext>();

/** Starts recording `source`'s output (stereo) on its context. */
export async function recordNode(source: AudioNode): Promise<Recorder> {
  const context = source.context;
  if (!loaded.has(context)) {
    await context.audioWorklet.addModule(URL.createObjectURL(new Blob([TAP], { type: 'text/javascript' })));
    loaded.add(context);
  }
  const tap = new AudioWorkletNode(context, 'riffroom-tap', {
    numberOfInputs: 1,
    numberOfOutputs: 0,
    channelCount: 2,
    channelCountMode: 'explicit',
    channelInterpretation: 'speakers',
  });
  const blocks: { time: number; channels: Float32Array[] }[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  tap.port.onmessage = (e: MessageEvent<'done' | { time: number; channels: Float32Array[] }>) =>
    e.data === 'done' ? done() : void blocks.push(e.data);
  source.connect(tap);
  return {
    async stop() {
      tap.port.postMessage('stop');
      await finished;
      source.disconnect(tap);
      // Each block at its own time (never just end to end: a lost message must not shift the rest).
      const startTime = blocks[0]?.time ?? 0;
      const at = (b: { time: number }) => Math.round((b.time - startTime) * context.sampleRate);
      const length = blocks.length ? at(blocks[blocks.length - 1]!) + 128 : 0;
      const channels = [new Float32Array(length), new Float32Array(length)];
      for (const b of blocks) {
        if (!b.channels.length) continue;
        for (let c = 0; c < 2; c++) channels[c]!.set(b.channels[c] ?? b.channels[0]!, at(b));
      }
      return { sampleRate: context.sampleRate, startTime, channels };
    },
  };
}
