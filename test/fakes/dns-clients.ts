/**
 * Clients of a service that resolve its Route 53 record and cache the answer, on the fake's virtual clock:
 * what a record change does to where requests go, second by second.
 *
 * As AWS documents it: an alias record to an AWS resource has no TTL of its own, Route 53 answers with the
 * resource's (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html),
 * which for ELB load balancers is a fixed 60 seconds (Route 53 FAQ, "Do I need to adjust the TTL for my
 * records in order to use DNS Failover?", https://aws.amazon.com/route53/faqs/), and resolvers keep an
 * answer until its TTL runs out. So after a change clients move over `cacheSeconds`:
 * each second, the clients whose cached answer expires resolve again and get the record as it is then.
 * Here the clients' caches expire evenly over the TTL: the share of requests a load balancer gets at
 * second t is the mean, over the `cacheSeconds` seconds up to t, of its share in the record as it was
 * (weighted sets: weight over total weight).
 *
 * A request is served when the load balancer it goes to exists and has an instance InService (a group in
 * it whose instance is ready and healthy); else it is lost (the name no longer resolves, or the load
 * balancer answers 503). The counts are kept per load balancer name on the virtual clock: `arriving(lb)`
 * (requests a second reaching it now), `served(lb)`, `lost(lb)`, `lostTotal`.
 *
 * The world between two calls of the fake is the one the first call left; so on every call the model
 * first counts the seconds since the previous one, then (after the call) notes the record as it is now.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { FakeAws } from './aws.js';

export interface DnsClientsOptions {
  zoneId: string;
  recordName: string;
  /** Requests a second from all clients together. Default 100. */
  requestsPerSecond?: number;
  /** How long a client keeps an answer: the alias TTL of a load balancer. Default 60. */
  cacheSeconds?: number;
}

type Shares = Map<string, number>; // normalised alias DNS name -> share of the record's answers

const norm = (name: string | undefined) =>
  (name ?? '')
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^dualstack\./, '');

export class DnsClients {
  readonly requestsPerSecond: number;
  readonly cacheSeconds: number;
  /** The record's answers over time: from `at` (virtual ms, a whole second) until the next entry. */
  private readonly answers: { at: number; shares: Shares }[] = [];
  /** The last second counted (virtual ms). */
  private counted: number;
  private readonly counts = new Map<string, { served: number; lost: number }>();
  /** Load balancer names by DNS name, learned while they exist (a deleted one keeps its name here). */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly aws: FakeAws,
    private readonly options: DnsClientsOptions,
  ) {
    this.requestsPerSecond = options.requestsPerSecond ?? 100;
    this.cacheSeconds = options.cacheSeconds ?? 60;
    const now = this.second(aws.clock.now());
    // Every client has resolved the record as it is now, some time in the last TTL.
    this.answers.push({ at: now - this.cacheSeconds * 1000, shares: this.sharesNow() });
    this.counted = now;
    aws.observers.push({ before: () => this.countUntilNow(), after: () => this.noteRecord() });
  }

  /** Requests a second arriving at the load balancer now, from clients' cached answers. */
  arriving(loadBalancer: string): number {
    return this.requestsPerSecond * this.shareAt(this.second(this.aws.clock.now()), loadBalancer);
  }

  served(loadBalancer: string): number {
    this.countUntilNow();
    return this.counts.get(loadBalancer)?.served ?? 0;
  }

  lost(loadBalancer: string): number {
    this.countUntilNow();
    return this.counts.get(loadBalancer)?.lost ?? 0;
  }

  get lostTotal(): number {
    this.countUntilNow();
    return [...this.counts.values()].reduce((n, c) => n + c.lost, 0);
  }

  // ---------------------------------------------------------------- the model

  private second(ms: number): number {
    return Math.floor(ms / 1000) * 1000;
  }

  private record(): ResourceRecordSet[] {
    const zone = this.aws.state.zones.get(this.options.zoneId.replace(/^\/hostedzone\//, ''));
    const name = `${this.options.recordName.replace(/\.$/, '')}.`.toLowerCase();
    return (zone?.records ?? []).filter((r) => r.Name === name && r.Type === 'A');
  }

  private sharesNow(): Shares {
    const sets = this.record().filter((r) => r.AliasTarget?.DNSName);
    const weighted = sets.some((r) => r.SetIdentifier !== undefined);
    const total = weighted ? sets.reduce((n, r) => n + (r.Weight ?? 0), 0) : sets.length;
    const shares: Shares = new Map();
    if (total <= 0) return shares;
    for (const r of sets) {
      const dns = norm(r.AliasTarget?.DNSName);
      shares.set(dns, (shares.get(dns) ?? 0) + (weighted ? (r.Weight ?? 0) : 1) / total);
    }
    return shares;
  }

  /** After a call: the record's answer from this second on, when it changed. */
  private noteRecord(): void {
    this.learnNames();
    const shares = this.sharesNow();
    const last = this.answers.at(-1)?.shares;
    const same = last && last.size === shares.size && [...shares].every(([k, v]) => Math.abs((last.get(k) ?? -1) - v) < 1e-9);
    if (same) return;
    const at = this.second(this.aws.clock.now());
    // A second's answer is the last one given in it.
    while ((this.answers.at(-1)?.at ?? -Infinity) >= at) this.answers.pop();
    this.answers.push({ at, shares });
  }

  private learnNames(): void {
    for (const [name, lb] of this.aws.state.loadBalancers) this.names.set(norm(lb.description.DNSName), name);
  }

  /** The record's answer given at second `t`. */
  private answerAt(t: number): Shares {
    let found = this.answers[0]?.shares ?? new Map<string, number>();
    for (const a of this.answers) {
      if (a.at > t) break;
      found = a.shares;
    }
    return found;
  }

  /** The share of requests reaching the load balancer at second t: the mean answer over the TTL up to t. */
  private shareAt(t: number, loadBalancer: string): number {
    const dns = [...this.names].find(([, name]) => name === loadBalancer)?.[0];
    if (dns === undefined) return 0;
    let sum = 0;
    for (let k = 0; k < this.cacheSeconds; k++) sum += this.answerAt(t - k * 1000).get(dns) ?? 0;
    return sum / this.cacheSeconds;
  }

  /** Before a call: every whole second since the last call, with the world as the last call left it. */
  private countUntilNow(): void {
    this.learnNames();
    const now = this.second(this.aws.clock.now());
    for (let t = this.counted; t < now; t += 1000) {
      for (const name of new Set(this.names.values())) {
        const requests = this.requestsPerSecond * this.shareAt(t, name);
        if (requests <= 0) continue;
        const c = this.counts.get(name) ?? { served: 0, lost: 0 };
        if (this.serves(name, t)) c.served += requests;
        else c.lost += requests;
        this.counts.set(name, c);
      }
    }
    this.counted = Math.max(this.counted, now);
  }

  /** Whether the load balancer exists and has an instance InService at second t. */
  private serves(name: string, t: number): boolean {
    if (!this.aws.state.loadBalancers.has(name)) return false;
    for (const g of this.aws.state.groups.values()) {
      if (!g.group.LoadBalancerNames?.includes(name)) continue;
      if (g.instances.some((i) => i.healthy && t >= i.readyAt)) return true;
    }
    return false;
  }
}
