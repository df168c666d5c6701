/**
 * The preload of the window (sandboxed: only contextBridge and ipcRenderer are used). Exposes the
 * narrow bridge of ../contract.ts as `window.riffroom` and nothing else; never ipcRenderer itself.
 * The inference MessagePort cannot cross contextBridge, so it is handed to the page with
 * window.postMessage (the page takes it in renderer/platform/electron-platform.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  BRIDGE_KEY,
  BRIDGE_VERSION,
  CHANNELS,
  INFERENCE_PORT_MESSAGE,
  type InferenceStatus,
  type RendererCommand,
  type RiffroomBridge,
} from '../contract.ts';

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const wrapped = (_event: IpcRendererEvent, value: T): void => listener(value);
  ipcRenderer.on(channel, wrapped);
  return () => void ipcRenderer.removeListener(channel, wrapped);
}

ipcRenderer.on(CHANNELS.inferencePort, (event) => {
  window.postMessage(INFERENCE_PORT_MESSAGE, window.location.origin, event.ports);
});

const bridge: RiffroomBridge = {
  version: BRIDGE_VERSION,
  platform: process.platform,
  files: {
    save: (request) => ipcRenderer.invoke(CHANNELS.filesSave, request),
    open: (request) => ipcRenderer.invoke(CHANNELS.filesOpen, request),
    dragOut: (request) => ipcRenderer.invoke(CHANNELS.filesDragOut, request),
  },
  session: {
    info: () => ipcRenderer.invoke(CHANNELS.sessionInfo),
    hostJam: () => ipcRenderer.invoke(CHANNELS.jamHost),
    stopHosting: () => ipcRenderer.invoke(CHANNELS.jamStop),
    copyLink: (request) => ipcRenderer.invoke(CHANNELS.jamCopyLink, request),
    checkJoinLink: (request) => ipcRenderer.invoke(CHANNELS.jamCheck, request),
    joinJam: (request) => ipcRenderer.invoke(CHANNELS.jamJoin, request),
  },
  share: {
    tokenInfo: (request) => ipcRenderer.invoke(CHANNELS.shareTokenInfo, request),
    online: (request) => ipcRenderer.invoke(CHANNELS.shareOnline, request),
  },
  library: {
    call: (request) => ipcRenderer.invoke(CHANNELS.library, request),
  },
  inference: {
    connect: () => ipcRenderer.send(CHANNELS.inferenceConnect),
    release: () => ipcRenderer.send(CHANNELS.inferenceRelease),
    onStatus: (listener) => subscribe<InferenceStatus>(CHANNELS.inferenceStatus, listener),
  },
  onCommand: (listener) => subscribe<RendererCommand>(CHANNELS.menuCommand, listener),
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
