/**
 * The hosted zone ids AWS publishes for classic load balancers, per region
 * (https://docs.aws.amazon.com/general/latest/gr/elb.html). Used when a load balancer description lacks
 * CanonicalHostedZoneNameID (moto leaves it out).
 */
export const CLASSIC_ELB_HOSTED_ZONES: Readonly<Record<string, string>> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'af-south-1': 'Z268VQBMOI5EKX',
  'ap-east-1': 'Z3DQVH9N71FHZ0',
  'ap-south-1': 'ZP97RAFLXTNZK',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
  'ap-northeast-2': 'ZWKZPGTI48KDX',
  'ap-northeast-3': 'Z5LXEXXYW11ES',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
  'ap-southeast-2': 'Z1GM3OXH4ZPM65',
  'ap-southeast-3': 'Z08888821HLRG5A9ZRTER',
  'ca-central-1': 'ZQSVJUPU6J1EY',
  'cn-north-1': 'Z1GDH35T77C1KE',
  'cn-northwest-1': 'ZM7IZAIOVVDZF',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'eu-north-1': 'Z23TAZ6LKFMNIO',
  'eu-south-1': 'Z3ULH7SSC9OV64',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-west-2': 'ZHURV8PSTC4K8',
  'eu-west-3': 'Z3Q77PNBQS71R4',
  'me-south-1': 'ZS929ML54UICD',
  'sa-east-1': 'Z2P70J7HTTTPLU',
  'us-gov-east-1': 'Z166TLBEWOO7G0',
  'us-gov-west-1': 'Z33AYJ8TM3BH4J',
};

/** The region in a classic ELB DNS name: "name-123.us-east-1.elb.amazonaws.com" -> "us-east-1". */
export function regionOfElbDnsName(dnsName: string): string | undefined {
  return /\.([a-z]{2}(?:-[a-z]+)+-\d)\.elb\.amazonaws\.com(?:\.cn)?\.?$/i.exec(dnsName)?.[1]?.toLowerCase();
}

/** The load balancer's own zone id, else the published one for its region (from `region` or its DNS name). */
export function classicElbHostedZoneId(description: { CanonicalHostedZoneNameID?: string; DNSName?: string }, region?: string): string | undefined {
  if (description.CanonicalHostedZoneNameID) return description.CanonicalHostedZoneNameID;
  const r = region ?? (description.DNSName ? regionOfElbDnsName(description.DNSName) : undefined);
  return r ? CLASSIC_ELB_HOSTED_ZONES[r] : undefined;
}

/** Compares DNS names as Route 53 aliases show them: case-insensitive, no trailing dot, no "dualstack." prefix. */
export function normaliseDnsName(name: string | undefined): string {
  return (name ?? '')
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^dualstack\./, '');
}
