/**
 * A small Prometheus registry: counters, gauges read at scrape time, and histograms with fixed
 * buckets. Text exposition format 0.0.4.
 */
type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Counter {
  private readonly values = new Map<string, number>();
  readonly name: string;
  readonly help: string;
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.values) lines.push(`${this.name}${key} ${value}`);
    return lines.join('\n');
  }
}

export class Gauge {
  readonly name: string;
  readonly help: string;
  private readonly read: () => number;
  constructor(name: string, help: string, read: () => number) {
    this.name = name;
    this.help = help;
    this.read = read;
  }
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`].join('\n');
  }
}

export class Histogram {
  readonly name: string;
  readonly help: string;
  private readonly buckets: number[];
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(name: string, help: string, buckets: number[]) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

/** Everything the server measures about itself. */
export class ServerMetrics {
  readonly connections = new Counter('riffroom_connections_total', 'Websocket connections accepted');
  readonly rejectedUpgrades = new Counter('riffroom_rejected_upgrades_total', 'Websocket upgrades refused, by reason');
  readonly closedForCause = new Counter('riffroom_closed_connections_total', 'Connections the server closed, by reason');
  readonly updatesLogged = new Counter('riffroom_updates_logged_total', 'Document updates appended to a room log');
  readonly updateBytesLogged = new Counter('riffroom_update_bytes_logged_total', 'Bytes of document updates appended');
  readonly messagesReceived = new Counter('riffroom_messages_received_total', 'Websocket messages received');
  readonly jamRefused = new Counter('riffroom_jam_refused_total', 'Jam messages refused (bad values or not allowed), by type');
  readonly editsReverted = new Counter(
    'riffroom_edits_reverted_total',
    "Students' document updates reverted by the server ('own-track': another's track)",
  );
  readonly snapshots = new Counter('riffroom_snapshots_total', 'Full-state snapshots written');
  readonly restores = new Counter('riffroom_restores_total', 'Restores performed');
  readonly roomsLoaded = new Counter('riffroom_rooms_loaded_total', 'Rooms loaded from their log');
  readonly roomsUnloaded = new Counter('riffroom_rooms_unloaded_total', 'Idle rooms unloaded from memory');
  readonly appendSeconds = new Histogram(
    'riffroom_log_append_seconds',
    'Time to append one update to the log',
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
  );
  private readonly gauges: Gauge[] = [];

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push(new Gauge(name, help, read));
  }

  render(): string {
    const all = [
      this.connections,
      this.rejectedUpgrades,
      this.closedForCause,
      this.updatesLogged,
      this.updateBytesLogged,
      this.messagesReceived,
      this.jamRefused,
      this.editsReverted,
      this.snapshots,
      this.restores,
      this.roomsLoaded,
      this.roomsUnloaded,
      this.appendSeconds,
      ...this.gauges,
    ];
    return `${all.map((m) => m.render()).join('\n')}\n`;
  }
}
