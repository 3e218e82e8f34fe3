/**
 * Lazy AWS SDK clients, one per service, built on first use.
 *
 * The SDK packages are big (the EC2 client alone is ~28 MB), so nothing here imports them at load time:
 * each service's package is loaded with a dynamic import() the first time an adapter asks for it, and
 * every other file imports SDK *types* only. `bluegreen --version` therefore never touches the SDK.
 *
 * What the clients get:
 *  - region: the one given, else the SDK's standard resolution (AWS_REGION, the profile, IMDS).
 *  - endpoint: none of ours. The SDK honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> by itself,
 *    which is how the integration tests point it at moto.
 *  - credentials: the SDK's default chain.
 *  - retries: the SDK's adaptive retry mode (throttling backs off, client-side rate limiting), no hand-written loops.
 *  - onCall: an optional observer told the service and operation of every command sent (one per
 *    logical call, not per retry attempt), attached as an `initialize` middleware.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { S3Client } from '@aws-sdk/client-s3';

export type AutoScalingSdk = typeof import('@aws-sdk/client-auto-scaling');
export type Ec2Sdk = typeof import('@aws-sdk/client-ec2');
export type ClassicElbSdk = typeof import('@aws-sdk/client-elastic-load-balancing');
export type Route53Sdk = typeof import('@aws-sdk/client-route-53');
export type CloudWatchSdk = typeof import('@aws-sdk/client-cloudwatch');
export type ElbV2Sdk = typeof import('@aws-sdk/client-elastic-load-balancing-v2');
export type SsmSdk = typeof import('@aws-sdk/client-ssm');
export type S3Sdk = typeof import('@aws-sdk/client-s3');

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
} as const;

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
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

  constructor(private readonly options: ClientOptions = {}) {
    this.autoScaling = this.lazy(SERVICE.autoScaling, async () => {
      const sdk = await import('@aws-sdk/client-auto-scaling');
      return { sdk, client: new sdk.AutoScalingClient(this.config()) };
    });
    this.ec2 = this.lazy(SERVICE.ec2, async () => {
      const sdk = await import('@aws-sdk/client-ec2');
      return { sdk, client: new sdk.EC2Client(this.config()) };
    });
    this.classicElb = this.lazy(SERVICE.classicElb, async () => {
      const sdk = await import('@aws-sdk/client-elastic-load-balancing');
      return { sdk, client: new sdk.ElasticLoadBalancingClient(this.config()) };
    });
    this.route53 = this.lazy(SERVICE.route53, async () => {
      const sdk = await import('@aws-sdk/client-route-53');
      return { sdk, client: new sdk.Route53Client(this.config()) };
    });
    this.cloudWatch = this.lazy(SERVICE.cloudWatch, async () => {
      const sdk = await import('@aws-sdk/client-cloudwatch');
      return { sdk, client: new sdk.CloudWatchClient(this.config()) };
    });
    this.elbV2 = this.lazy(SERVICE.elbV2, async () => {
      const sdk = await import('@aws-sdk/client-elastic-load-balancing-v2');
      return { sdk, client: new sdk.ElasticLoadBalancingV2Client(this.config()) };
    });
    this.ssm = this.lazy(SERVICE.ssm, async () => {
      const sdk = await import('@aws-sdk/client-ssm');
      return { sdk, client: new sdk.SSMClient(this.config()) };
    });
    this.s3 = this.lazy(SERVICE.s3, async () => {
      const sdk = await import('@aws-sdk/client-s3');
      // The state bucket may live in another region than the deployment: follow S3's redirect.
      return { sdk, client: new sdk.S3Client({ ...this.config(), followRegionRedirects: true }) };
    });
  }

  private config(): { region?: string; maxAttempts: number; retryMode: string } {
    return {
      ...(this.options.region ? { region: this.options.region } : {}),
      maxAttempts: this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'adaptive',
    };
  }

  /** Memoises the loader; a failed load (rare: a broken install) is retried on the next use. */
  private lazy<C extends object, S>(service: string, load: () => Promise<Service<C, S>>): () => Promise<Service<C, S>> {
    let loading: Promise<Service<C, S>> | undefined;
    return () => {
      loading ??= load().then(
        (loaded) => {
          this.observe(service, loaded.client as unknown as MiddlewareClient);
          return loaded;
        },
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
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
