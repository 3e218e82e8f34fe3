/**
 * Progress of a deployment, driven only by the engine's events (src/engine/events.ts).
 *
 * - On a terminal: a live display. Finished steps are printed once, as lines that stay; the steps
 *   under way are redrawn ten times a second with their elapsed time and the last progress message
 *   ("1 of 2 instances InService"), followed by how many steps remain.
 * - Elsewhere (CI logs, pipes): one plain line per event, stamped with the time since the command
 *   started: `[  12.3s] ✓ create-group  Create Auto Scaling group shop-green-k3x9a (2.1s)`.
 */
import type { EngineEvent } from '../../engine/events.js';
import { EVENT } from '../../engine/events.js';
import { colorsFor, fit, seconds } from './style.js';

export interface Progress {
  onEvent(event: EngineEvent): void;
  /** Stops the live display (idempotent); the last frame stays on screen. */
  stop(): void;
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

interface StepView {
  id: string;
  title: string;
  undo: boolean;
  startedAt: number;
  message?: string;
}

/** A run that ended as asked: finished, rolled back, or paused before its traffic step. */
function endedWell(status: string): boolean {
  return status === 'succeeded' || status === 'rolled-back' || status === 'paused';
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createProgress(stream: Stream, options: { live?: boolean; now?: () => number } = {}): Progress {
  const live = options.live ?? stream.isTTY === true;
  return live ? new LiveProgress(stream, options.now ?? Date.now) : new PlainProgress(stream, options.now ?? Date.now);
}

class PlainProgress implements Progress {
  private readonly origin: number;
  private readonly titles = new Map<string, string>();
  private readonly lastMessage = new Map<string, string>();
  constructor(
    private readonly out: Stream,
    private readonly now: () => number,
  ) {
    this.origin = now();
  }

  private line(mark: string, text: string): void {
    const stamp = seconds(this.now() - this.origin).padStart(7);
    this.out.write(`[${stamp}] ${mark} ${text}\n`);
  }

  onEvent(e: EngineEvent): void {
    switch (e.event) {
      case EVENT.deploymentStarted:
        this.line('•', `${e.mode} ${e.service}, deployment ${e.deploymentId}: ${e.steps} step${e.steps === 1 ? '' : 's'}`);
        break;
      case EVENT.stepStarted:
      case EVENT.undoStarted: {
        this.titles.set(e.stepId, e.title);
        this.line('▸', `${e.stepId}  ${e.title} (step ${e.index} of ${e.total})`);
        break;
      }
      case EVENT.stepProgress:
        if (this.lastMessage.get(e.stepId) === e.message) break; // a poll that says nothing new
        this.lastMessage.set(e.stepId, e.message);
        this.line('·', `${e.stepId}  ${e.message}`);
        break;
      case EVENT.stepOutput:
        this.out.write(`          ${e.source}${e.stream === 'stderr' ? ' !' : ' |'} ${e.line}\n`);
        break;
      case EVENT.stepSucceeded:
        this.line('✓', `${e.stepId}  ${this.titles.get(e.stepId) ?? ''} (${seconds(e.durationMs)})`);
        break;
      case EVENT.undoSucceeded:
        this.line('↩', `${e.stepId}  ${this.titles.get(e.stepId) ?? ''} (${seconds(e.durationMs)})`);
        break;
      case EVENT.stepFailed:
      case EVENT.undoFailed: {
        this.line('✗', `${e.stepId}  ${this.titles.get(e.stepId) ?? ''} failed (${seconds(e.durationMs)}): ${e.error}`);
        break;
      }
      case EVENT.deploymentPaused:
        this.line('⏸', `paused before ${e.stepId}  ${e.title}`);
        break;
      case EVENT.deploymentFinished:
        this.line(
          endedWell(e.status) ? '•' : '✗',
          `deployment ${e.deploymentId} ${e.status} in ${seconds(e.durationMs)}${e.error ? `: ${e.error}` : ''}`,
        );
        break;
    }
  }

  stop(): void {}
}

class LiveProgress implements Progress {
  private readonly c;
  private origin: number;
  private readonly running = new Map<string, StepView>();
  private readonly titles = new Map<string, string>();
  private header = '';
  private total = 0;
  private finishedCount = 0;
  private frameLines = 0;
  private tick = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly restoreCursor = () => this.out.write('\x1b[?25h');

  constructor(
    private readonly out: Stream,
    private readonly now: () => number,
  ) {
    this.c = colorsFor(out);
    this.origin = now();
  }

  private start(): void {
    if (this.timer || this.stopped) return;
    this.out.write('\x1b[?25l');
    process.once('exit', this.restoreCursor);
    this.timer = setInterval(() => {
      this.tick++;
      this.draw();
    }, 100);
    this.timer.unref();
  }

  /** Erases the live frame, prints `lines` above it for good, and draws the frame again. */
  private commit(...lines: string[]): void {
    this.erase();
    for (const l of lines) this.out.write(`${l}\n`);
    this.draw();
  }

  private erase(): void {
    if (this.frameLines > 0) this.out.write(`\x1b[${this.frameLines}A\x1b[0J`);
    this.frameLines = 0;
  }

  private draw(): void {
    if (this.stopped) return;
    this.erase();
    const cols = this.out.columns;
    const t = this.now();
    const lines: string[] = [];
    const c = this.c;
    for (const s of this.running.values()) {
      const spin = SPINNER[this.tick % SPINNER.length] ?? '-';
      const plain = `${s.title}  ${seconds(t - s.startedAt)}${s.message ? `  ${s.message}` : ''}`;
      lines.push(`  ${c.cyan(spin)} ${fit(plain, cols === undefined ? undefined : cols - 4)}`);
    }
    const remaining = this.total - this.finishedCount - this.running.size;
    if (this.header) {
      const plain = `${this.header}  ${seconds(t - this.origin)}${remaining > 0 ? `  (${remaining} more step${remaining === 1 ? '' : 's'} to go)` : ''}`;
      lines.push(c.dim(fit(plain, cols)));
    }
    for (const l of lines) this.out.write(`${l}\n`);
    this.frameLines = lines.length;
  }

  onEvent(e: EngineEvent): void {
    const c = this.c;
    const done = (mark: string, text: string) => `  ${mark} ${text}`;
    switch (e.event) {
      case EVENT.deploymentStarted:
        this.header = `${e.mode} ${e.service} · deployment ${e.deploymentId}`;
        this.origin = this.now();
        this.total = e.steps;
        this.start();
        this.draw();
        break;
      case EVENT.stepStarted:
      case EVENT.undoStarted:
        this.titles.set(e.stepId, e.title);
        this.total = Math.max(this.total, e.total);
        this.running.set(e.stepId, { id: e.stepId, title: e.title, undo: e.event === EVENT.undoStarted, startedAt: this.now() });
        this.start();
        this.draw();
        break;
      case EVENT.stepProgress: {
        const s = this.running.get(e.stepId);
        if (s) s.message = e.message;
        this.draw();
        break;
      }
      case EVENT.stepOutput:
        this.commit(`      ${c.dim(e.source)}${e.stream === 'stderr' ? c.red(' !') : c.dim(' |')} ${e.line}`);
        break;
      case EVENT.stepSucceeded:
      case EVENT.undoSucceeded: {
        this.running.delete(e.stepId);
        this.finishedCount++;
        const undo = e.event === EVENT.undoSucceeded;
        this.commit(done(c.green(undo ? '↩' : '✓'), `${this.titles.get(e.stepId) ?? e.stepId} ${c.dim(`(${seconds(e.durationMs)})`)}`));
        break;
      }
      case EVENT.stepFailed:
      case EVENT.undoFailed: {
        this.running.delete(e.stepId);
        this.finishedCount++;
        this.commit(done(c.red('✗'), `${this.titles.get(e.stepId) ?? e.stepId} ${c.dim(`(${seconds(e.durationMs)})`)}`), `      ${c.red(e.error)}`);
        break;
      }
      case EVENT.deploymentPaused:
        this.commit(done(c.yellow('⏸'), `paused before ${e.title} ${c.dim(e.stepId)}`));
        break;
      case EVENT.deploymentFinished: {
        const ok = endedWell(e.status);
        const paint = e.status === 'paused' ? c.yellow : ok ? c.green : c.red;
        this.header = '';
        this.running.clear();
        this.commit(`${paint('●')} deployment ${e.deploymentId} ${paint(e.status)} in ${seconds(e.durationMs)}`);
        this.stop();
        break;
      }
    }
  }

  /** Removes the live frame; finished steps stay, and later events print plain lines below. */
  stop(): void {
    if (this.stopped) return;
    this.erase();
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.restoreCursor();
      process.removeListener('exit', this.restoreCursor);
    }
  }
}
