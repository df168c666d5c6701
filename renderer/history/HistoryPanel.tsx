/**
 * SEAM (mount point only): the history timeline in the side panel's "History" tab. The history
 * helper replaces this file; keep the export name and the PanelProps it receives
 * (app/panel-props.ts). The server's history API is at `${session.link.httpUrl}/api/rooms/
 * ${session.link.room}/...` with `Authorization: Bearer ${session.link.token}` (types in
 * sync-server/contract.ts).
 */
import type { PanelProps } from '../app/panel-props.ts';

export function HistoryPanel(_props: PanelProps) {
  return <div className="placeholder" data-testid="history-panel">History: coming.</div>;
}
