/**
 * The right side panel: the AI bandmate ("Generate"), the riff library ("Library"), the song's
 * history ("History"), the live jam ("Jam") and MIDI out, clock and routing ("MIDI").
 */
import { useState } from 'react';
import { GeneratorPanel } from '../generator/GeneratorPanel.tsx';
import { HistoryPanel } from '../history/HistoryPanel.tsx';
import { JamPanel } from '../jam/JamPanel.tsx';
import { LibraryPanel } from '../library/LibraryPanel.tsx';
import { MidiPanel } from '../midi/MidiPanel.tsx';
import type { PanelProps } from './panel-props.ts';

type Tab = 'generate' | 'library' | 'history' | 'jam' | 'midi';

export function SidePanel(props: PanelProps) {
  const [tab, setTab] = useState<Tab>('generate');
  // "Generate more like this": from the library to the AI panel, which asks for variations.
  const [varyRequest, setVaryRequest] = useState<{ clipId: string } | null>(null);
  const generateFrom = (clipId: string) => {
    setVaryRequest({ clipId });
    setTab('generate');
  };
  return (
    <aside className="side-panel" aria-label="Side panel">
      <div className="tabs" role="tablist">
        <button type="button" role="tab" data-testid="tab-generate" aria-selected={tab === 'generate'} onClick={() => setTab('generate')}>
          Generate
        </button>
        <button type="button" role="tab" data-testid="tab-library" aria-selected={tab === 'library'} onClick={() => setTab('library')}>
          Library
        </button>
        <button type="button" role="tab" data-testid="tab-history" aria-selected={tab === 'history'} onClick={() => setTab('history')}>
          History
        </button>
        <button type="button" role="tab" data-testid="tab-jam" aria-selected={tab === 'jam'} onClick={() => setTab('jam')}>
          Jam
        </button>
        <button type="button" role="tab" data-testid="tab-midi" aria-selected={tab === 'midi'} onClick={() => setTab('midi')}>
          MIDI
        </button>
      </div>
      <div className="tab-body" role="tabpanel">
        {/* Both stay mounted so a generation or a loaded history survives switching tabs. */}
        <div hidden={tab !== 'generate'} style={{ height: '100%' }}>
          <GeneratorPanel {...props} varyRequest={varyRequest} onVaryTaken={() => setVaryRequest(null)} />
        </div>
        <div hidden={tab !== 'library'} style={{ height: '100%', overflow: 'auto' }}>
          {tab === 'library' && <LibraryPanel {...props} generateFrom={generateFrom} />}
        </div>
        <div hidden={tab !== 'history'} style={{ height: '100%' }}>
          <HistoryPanel {...props} />
        </div>
        <div hidden={tab !== 'jam'} style={{ height: '100%', overflow: 'auto' }}>
          <JamPanel {...props} />
        </div>
        <div hidden={tab !== 'midi'} style={{ height: '100%', overflow: 'auto' }}>
          <MidiPanel {...props} />
        </div>
      </div>
    </aside>
  );
}
