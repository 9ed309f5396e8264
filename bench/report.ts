/**
 * One shape for every benchmark's results. Each suite prints its tables as it always has;
 * with `--json` those lines go to stderr instead and stdout holds one JSON document only:
 *
 *   {
 *     "suite": "sequencing",
 *     "machine": "machine: 2 x AMD EPYC ..., 24 GiB, node v20.20.0, load 0.52 0.40 0.31",
 *     "args": ["--requests", "500", "--json"],
 *     "figures":  { "setup": { "requests": 500, ... }, "beam8": { "p50Ms": 1.9, "p99Ms": 2.7, "meanValue": 31.2 } },
 *     "baseline": { "greedy": { "p50Ms": 0.4, "p99Ms": 0.6, "meanValue": 29.8 } },
 *     "ratios":   { "beam8OverGreedyP50": 4.75, "beam8OverGreedyP99": 4.5, "beam8OverGreedyValue": 1.05 },
 *     "targets":  { "beam 8 p99 < 3 ms": true }
 *   }
 *
 * - `figures`: what the suite measured, units in the key (`Ms`, `PerSecond`, `MB`);
 * - `baseline`: what the same run measured to compare them with (greedy for the beam,
 *   parse-only for import, XGBoost for the trees, /healthz for the API ...); null when the
 *   suite has none (fingerprint hashes, the whole radio request);
 * - `ratios`: figure over baseline, named `<figure>Over<baseline><what>`; a ratio that cannot
 *   be taken (one side was skipped or absent) is left out;
 * - `targets`: each target the suite states, in its words, and whether this run met it.
 *
 * A suite that runs others (models runs item2vec, als and ann) gives each its `part`:
 * their figures nest under the part's name in each of the four objects.
 *
 *   npm run -s bench -- sequencing --requests 20 --json | jq .ratios
 *
 * (`-s`: npm prints its own banner on stdout otherwise; the build's output goes to stderr.)
 */
import { machineLine } from './machine.js';

type Fields = Record<string, unknown>;

/** Where a suite (or one part of a suite) records its results. */
export class Results {
  private readonly parts = new Map<string, Results>();

  constructor(
    readonly figures: Fields = {},
    readonly baseline: Fields = {},
    readonly ratios: Record<string, number | Fields> = {},
    readonly targets: Record<string, boolean | Fields> = {},
  ) {}

  /** Records `ratios[name] = value` when both sides were measured (finite), and returns it (NaN otherwise). */
  ratio(name: string, figure: number | undefined, baseline: number | undefined): number {
    const r = figure === undefined || baseline === undefined ? NaN : figure / baseline;
    if (Number.isFinite(r)) this.ratios[name] = r;
    return r;
  }

  /** Records whether the target `what` was met, and returns `met`. */
  target(what: string, met: boolean): boolean {
    this.targets[what] = met;
    return met;
  }

  /** The results of one part of the suite (a suite run by another one): nested under `name`; the same part each time. */
  part(name: string): Results {
    let p = this.parts.get(name);
    if (p === undefined) {
      const nest = (o: Record<string, unknown>): Fields => (o[name] ??= {}) as Fields;
      p = new Results(nest(this.figures), nest(this.baseline), nest(this.ratios) as Record<string, number | Fields>, nest(this.targets) as Record<string, boolean | Fields>);
      this.parts.set(name, p);
    }
    return p;
  }

  /** Drops the parts' objects that stayed empty (a part without a baseline, say). */
  protected prune(): void {
    for (const [name, p] of this.parts) {
      p.prune();
      for (const [mine, its] of [[this.figures, p.figures], [this.baseline, p.baseline], [this.ratios, p.ratios], [this.targets, p.targets]] as const) {
        // Only the part's own object: a suite may have put a figure under the same name.
        if ((mine as Record<string, unknown>)[name] === its && Object.keys(its).length === 0) delete (mine as Record<string, unknown>)[name];
      }
    }
  }
}

/** The JSON document of one run. */
export interface BenchDocument {
  suite: string;
  machine: string;
  args: string[];
  figures: Fields;
  baseline: Fields | null;
  ratios: Record<string, number | Fields>;
  targets: Record<string, boolean | Fields>;
}

/** A suite's results and how to print them: `--json` in the args asks for the document. */
export class Report extends Results {
  readonly json: boolean;
  readonly machine = machineLine();

  constructor(readonly suite: string, readonly args: string[]) {
    super();
    this.json = args.includes('--json');
  }

  /**
   * Under --json, everything the suite prints with console.log (its tables, its progress,
   * a library's chatter) goes to stderr: stdout is kept for the document.
   */
  claimStdout(): void {
    if (!this.json) return;
    console.log = console.error;
    console.info = console.error;
    console.table = (...a: Parameters<typeof console.table>) => {
      console.error(...a);
    };
  }

  document(): BenchDocument {
    this.prune();
    return {
      suite: this.suite, machine: this.machine, args: this.args,
      figures: this.figures, baseline: Object.keys(this.baseline).length === 0 ? null : this.baseline, ratios: this.ratios, targets: this.targets,
    };
  }

  /** Under --json, writes the document on stdout (one line); otherwise nothing: the suite printed its tables. */
  finish(): void {
    if (this.json) process.stdout.write(`${JSON.stringify(this.document())}\n`);
  }
}
