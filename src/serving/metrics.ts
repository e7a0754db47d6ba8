/**
 * Prometheus metrics in the text exposition format (version 0.0.4), written by hand: counters,
 * gauges and histograms with labels, kept in Maps keyed by the label values so a request adds
 * to its series without searching.
 */

type Labels = Readonly<Record<string, string>>;

/** Label values joined as the series key and rendered as `{a="x",b="y"}`. */
function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Metric {
  render(): string;
}

/** A counter's or a gauge's series: one number per label set. */
abstract class Scalar implements Metric {
  protected readonly series = new Map<string, number>();
  protected abstract readonly type: 'counter' | 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [labels, value] of this.series) lines.push(`${this.name}${labels} ${value}`);
    return lines.join('\n');
  }
}

export class Counter extends Scalar {
  protected readonly type = 'counter';

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.series.set(key, (this.series.get(key) ?? 0) + by);
  }
}

export class Gauge extends Scalar {
  protected readonly type = 'gauge';

  set(value: number, labels: Labels = {}): void {
    this.series.set(labelText(labels), value);
  }
}

/** Seconds, from half a millisecond to ten seconds: a recommendation request lies in there. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

interface HistogramSeries {
  labels: Labels;
  counts: Float64Array;
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    // Buckets are cumulative in the exposition; counted here per bucket and summed when rendered.
    const b = this.buckets.findIndex((le) => value <= le);
    if (b >= 0) s.counts[b]++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, b) => {
        cumulative += s.counts[b];
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** The metrics a model server keeps. */
export class ServerMetrics {
  readonly requests = new Counter(
    'reclab_http_requests_total',
    'HTTP requests answered, by route and status.',
  );
  readonly latency = new Histogram(
    'reclab_http_request_duration_seconds',
    'Time to answer a request, by route.',
  );
  readonly stages = new Histogram(
    'reclab_pipeline_stage_duration_seconds',
    'Time a recommendation spends in each pipeline stage (retrieval, merge, ranking).',
  );
  readonly inflight = new Gauge('reclab_inflight_requests', 'Requests being answered now.');
  readonly rejected = new Counter(
    'reclab_rejected_requests_total',
    'Requests refused with 503 at the in-flight limit.',
  );
  readonly bundleVersion = new Gauge(
    'reclab_bundle_version',
    'Version of the pipeline bundle being served (0: none yet).',
  );
  readonly reloads = new Counter('reclab_reloads_total', 'Bundle reloads, by result (ok, refused).');

  constructor() {
    this.bundleVersion.set(0);
    this.inflight.set(0);
  }

  render(): string {
    const all: Metric[] = [
      this.requests,
      this.latency,
      this.stages,
      this.inflight,
      this.rejected,
      this.bundleVersion,
      this.reloads,
    ];
    return all.map((m) => m.render()).join('\n') + '\n';
  }
}
