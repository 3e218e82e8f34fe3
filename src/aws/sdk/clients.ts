/**
 * Lazy AWS SDK clients, one per service, built on first use.
 *
 * The SDK packages are big (the EC2 client alone is a 2 MB bundle), so nothing here loads them at load
 * time: each service's package is loaded the first time an adapter asks for it, and every other file
 * imports SDK *types* only. `bluegreen --version` therefore never touches the SDK.
 *
 * They are loaded with require (createRequire), not import(): the packages are CommonJS, and an import()
 * of CommonJS from an ES module sends the package and every file it requires through the ES module
 * loader (format detection, cjs-module-lexer over each file's source), which tripled the load time:
 * the five clients of a replica-dns deployment took ~0.9-1.2 s through import() against ~0.35 s through
 * require, on the bench machine (docs/benchmark.md). require gives the same module objects as import()
 * (aws-sdk-client-mock in the tests, test/support/aws-faults.mjs see the same classes).
 *
 * What the clients get:
 *  - region: the one given, else the SDK's standard resolution (AWS_REGION, the profile, IMDS).
 *  - endpoint: none of ours. The SDK honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> by itself,
 *    which is how the integration tests point it at moto.
 *  - credentials: the SDK's default chain, resolved once for all the clients of one AwsClients: the first
 *    client built resolves it, the others are given that client's memoised provider (so an SSO profile, an
 *    assumed role or the instance metadata service is asked once per run, not once per service).
 *  - retries: the SDK's adaptive retry mode (throttling backs off, client-side rate limiting), no hand-written loops.
 *  - onCall: an optional observer told the service and operation of every command sent (one per
 *    logical call, not per retry attempt), attached as an `initialize` middleware.
 */
import { createRequire } from 'node:module';
import { requireCached } from './compile-cache.js';
import type { AutoScalingClient, AutoScalingClientConfig } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';

export type AutoScalingSdk = typeof import('@aws-sdk/client-auto-scaling');
export type Ec2Sdk = typeof import('@aws-sdk/client-ec2');
export type ClassicElbSdk = typeof import('@aws-sdk/client-elastic-load-balancing');
export type Route53Sdk = typeof import('@aws-sdk/client-route-53');
export type CloudWatchSdk = typeof import('@aws-sdk/client-cloudwatch');
export type ElbV2Sdk = typeof import('@aws-sdk/client-elastic-load-balancing-v2');
export type SsmSdk = typeof import('@aws-sdk/client-ssm');
export type S3Sdk = typeof import('@aws-sdk/client-s3');
export type TaggingSdk = typeof import('@aws-sdk/client-resource-groups-tagging-api');

/** Told of every command sent. `service` is the IAM prefix (autoscaling, ec2, ...); `operation` e.g. CreateLoadBalancer. */
export type CallObserver = (service: string, operation: string) => void;

export interface ClientOptions {
  region?: string;
  onCall?: CallObserver;
  /** Attempts per call, the first included (SDK retry strategy). Default 6. */
  maxAttempts?: number;
}

/** A loaded service: its SDK module (for the command classes) and its one client. */
export interface Service<Client, Sdk> {
  client: Client;
  sdk: Sdk;
}

export const DEFAULT_MAX_ATTEMPTS = 6;
export const ON_CALL_MIDDLEWARE = 'bluegreenOnCall';

/** The service names the observer sees; they are the IAM action prefixes too. */
export const SERVICE = {
  autoScaling: 'autoscaling',
  ec2: 'ec2',
  classicElb: 'elasticloadbalancing',
  route53: 'route53',
  cloudWatch: 'cloudwatch',
  /** ALB/NLB target groups: the same IAM prefix as classic load balancers. */
  elbV2: 'elasticloadbalancing',
  ssm: 'ssm',
  /** The state backend state.s3 (src/state/s3-store.ts). */
  s3: 's3',
  /** The Resource Groups Tagging API (bluegreen gc's inventory): its IAM prefix is `tag`. */
  tagging: 'tag',
} as const;

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** What every SDK client's resolved config has: its credentials provider, memoised by the SDK. */
interface CredentialsClient {
  config: { credentials?: CredentialsProvider };
}

/** The package of each service, loaded (by require) on the first use of its client. */
const PACKAGE = {
  autoScaling: '@aws-sdk/client-auto-scaling',
  ec2: '@aws-sdk/client-ec2',
  classicElb: '@aws-sdk/client-elastic-load-balancing',
  route53: '@aws-sdk/client-route-53',
  cloudWatch: '@aws-sdk/client-cloudwatch',
  elbV2: '@aws-sdk/client-elastic-load-balancing-v2',
  ssm: '@aws-sdk/client-ssm',
  s3: '@aws-sdk/client-s3',
  tagging: '@aws-sdk/client-resource-groups-tagging-api',
} as const;

const requireSdk = createRequire(import.meta.url);

/**
 * Loads an SDK package (CommonJS) by require, see the top of this file for why not import(), with V8's
 * compiled code of an earlier run when there is some (compile-cache.ts).
 */
export function loadSdk<Sdk>(name: (typeof PACKAGE)[keyof typeof PACKAGE]): Sdk {
  return requireCached<Sdk>(requireSdk, name);
}

/** The SDK's credentials provider (the same type in every client package). */
type CredentialsProvider = ReturnType<NonNullable<AutoScalingClientConfig['credentialDefaultProvider']>>;

/** The SDK client config every client gets (ClientOptions plus the shared credentials, once resolved). */
interface SdkConfig {
  region?: string;
  maxAttempts: number;
  retryMode: string;
  credentialDefaultProvider?: () => CredentialsProvider;
}

export class AwsClients {
  readonly autoScaling: () => Promise<Service<AutoScalingClient, AutoScalingSdk>>;
  readonly ec2: () => Promise<Service<EC2Client, Ec2Sdk>>;
  readonly classicElb: () => Promise<Service<ElasticLoadBalancingClient, ClassicElbSdk>>;
  readonly route53: () => Promise<Service<Route53Client, Route53Sdk>>;
  readonly cloudWatch: () => Promise<Service<CloudWatchClient, CloudWatchSdk>>;
  readonly elbV2: () => Promise<Service<ElasticLoadBalancingV2Client, ElbV2Sdk>>;
  readonly ssm: () => Promise<Service<SSMClient, SsmSdk>>;
  readonly s3: () => Promise<Service<S3Client, S3Sdk>>;
  readonly tagging: () => Promise<Service<ResourceGroupsTaggingAPIClient, TaggingSdk>>;
  /** The credentials provider of the first client built (the SDK's default chain, memoised), shared by the rest. */
  private credentials: CredentialsProvider | undefined;

  constructor(private readonly options: ClientOptions = {}) {
    this.autoScaling = this.lazy(SERVICE.autoScaling, () => {
      const sdk = loadSdk<AutoScalingSdk>(PACKAGE.autoScaling);
      return { sdk, client: new sdk.AutoScalingClient(this.config()) };
    });
    this.ec2 = this.lazy(SERVICE.ec2, () => {
      const sdk = loadSdk<Ec2Sdk>(PACKAGE.ec2);
      return { sdk, client: new sdk.EC2Client(this.config()) };
    });
    this.classicElb = this.lazy(SERVICE.classicElb, () => {
      const sdk = loadSdk<ClassicElbSdk>(PACKAGE.classicElb);
      return { sdk, client: new sdk.ElasticLoadBalancingClient(this.config()) };
    });
    this.route53 = this.lazy(SERVICE.route53, () => {
      const sdk = loadSdk<Route53Sdk>(PACKAGE.route53);
      return { sdk, client: new sdk.Route53Client(this.config()) };
    });
    this.cloudWatch = this.lazy(SERVICE.cloudWatch, () => {
      const sdk = loadSdk<CloudWatchSdk>(PACKAGE.cloudWatch);
      return { sdk, client: new sdk.CloudWatchClient(this.config()) };
    });
    this.elbV2 = this.lazy(SERVICE.elbV2, () => {
      const sdk = loadSdk<ElbV2Sdk>(PACKAGE.elbV2);
      return { sdk, client: new sdk.ElasticLoadBalancingV2Client(this.config()) };
    });
    this.ssm = this.lazy(SERVICE.ssm, () => {
      const sdk = loadSdk<SsmSdk>(PACKAGE.ssm);
      return { sdk, client: new sdk.SSMClient(this.config()) };
    });
    this.s3 = this.lazy(SERVICE.s3, () => {
      const sdk = loadSdk<S3Sdk>(PACKAGE.s3);
      // The state bucket may live in another region than the deployment: follow S3's redirect.
      return { sdk, client: new sdk.S3Client({ ...this.config(), followRegionRedirects: true }) };
    });
    this.tagging = this.lazy(SERVICE.tagging, () => {
      const sdk = loadSdk<TaggingSdk>(PACKAGE.tagging);
      return { sdk, client: new sdk.ResourceGroupsTaggingAPIClient(this.config()) };
    });
  }

  private config(): SdkConfig {
    const shared = this.credentials;
    return {
      ...(this.options.region ? { region: this.options.region } : {}),
      maxAttempts: this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'adaptive',
      // In place of the SDK's default chain (which each client would otherwise resolve anew), the provider
      // the first client resolved it with. Given as the default provider, not as `credentials`, so the SDK
      // still treats them as the default chain's (not as credentials set in code).
      ...(shared ? { credentialDefaultProvider: () => shared } : {}),
    };
  }

  /**
   * Memoises the loader; a failed load (rare: a broken install) is retried on the next use. The package is
   * loaded synchronously, on the first call, so that the caller's first request is sent at once after it.
   */
  private lazy<C extends object, S>(service: string, load: () => Service<C, S>): () => Promise<Service<C, S>> {
    let loaded: Promise<Service<C, S>> | undefined;
    return () => {
      if (loaded) return loaded;
      try {
        const made = load();
        this.credentials ??= (made.client as unknown as CredentialsClient).config.credentials;
        this.observe(service, made.client as unknown as MiddlewareClient);
        loaded = Promise.resolve(made);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return loaded;
    };
  }

  private observe(service: string, client: MiddlewareClient): void {
    const onCall = this.options.onCall;
    if (!onCall) return;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        onCall(service, (context.commandName ?? 'Unknown').replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: ON_CALL_MIDDLEWARE, priority: 'high' },
    );
  }
}
