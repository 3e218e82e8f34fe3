/**
 * Pure builders both strategies use to launch instances like a group's and to run commands on them:
 * descriptions in, request inputs out. No I/O; tested with exact inputs and outputs. Shapes are the SDK's own.
 */
import type { CreateLaunchConfigurationCommandInput, LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import type {
  BlockDeviceMapping,
  CreateLaunchTemplateCommandInput,
  Instance,
  LaunchTemplateBlockDeviceMappingRequest,
  LaunchTemplateInstanceNetworkInterfaceSpecificationRequest,
  RequestLaunchTemplateData,
  InstanceNetworkInterfaceSpecification,
  LaunchTemplateVersion,
  ResponseLaunchTemplateData,
  RunInstancesCommandInput,
  TagSpecification,
} from '@aws-sdk/client-ec2';
import type { RemoteHost } from '../../remote/types.js';
import { isOwnTagKey, ownTags, type OwnTags } from './names.js';

/** Drops keys whose value is undefined, so outputs compare exactly and serialise cleanly. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
/** AWS describes unset strings as "" and refuses "" back. */
export const nonEmpty = (s: string | undefined) => (s ? s : undefined);
export const nonEmptyList = <T>(a: T[] | undefined) => (a && a.length > 0 ? a : undefined);

export type Tag = { Key: string; Value: string };

// ---------------------------------------------------------------- placements

/** Where one RunInstances call launches, how many, and with which idempotency token. */
export interface Placement {
  subnetId?: string;
  availabilityZone?: string;
  count: number;
  clientToken: string;
}

/** Which placement a launched instance belongs to (by subnet, else zone; the only placement otherwise). */
export function placementOf(instance: Instance, all: Placement[]): Placement | undefined {
  return all.find((p) =>
    p.subnetId ? instance.SubnetId === p.subnetId : p.availabilityZone ? instance.Placement?.AvailabilityZone === p.availabilityZone : true,
  );
}

// ---------------------------------------------------------------- RunInstances

export type LaunchSource =
  | { kind: 'configuration'; configuration: LaunchConfiguration }
  | { kind: 'template'; version: LaunchTemplateVersion & { LaunchTemplateId: string; VersionNumber: number } };

function tagSpecifications(tags: Tag[]): TagSpecification[] {
  return [
    { ResourceType: 'instance', Tags: tags },
    { ResourceType: 'volume', Tags: tags },
  ];
}

/**
 * One RunInstances call: `placement.count` instances like the group's launch configuration or template
 * (image, type, security groups, key, instance profile, user data, block devices, monitoring, metadata
 * options), in the placement's subnet, with `image`, tagged `tags`. UserData is passed through as AWS gave
 * it (base64); the input is built when the step runs and never stored.
 */
export function runInstancesInput(source: LaunchSource, placement: Placement, image: string, tags: Tag[]): RunInstancesCommandInput {
  const common = {
    ImageId: image,
    MinCount: placement.count,
    MaxCount: placement.count,
    ClientToken: placement.clientToken,
    TagSpecifications: tagSpecifications(tags),
  };
  if (source.kind === 'template') {
    const v = source.version;
    const ni = v.LaunchTemplateData?.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
    return defined({
      ...common,
      LaunchTemplate: { LaunchTemplateId: v.LaunchTemplateId, Version: String(v.VersionNumber) },
      // A template with network interfaces takes the subnet there (SubnetId beside them is refused).
      ...(placement.subnetId && ni
        ? {
            NetworkInterfaces: [
              defined({
                DeviceIndex: 0,
                SubnetId: placement.subnetId,
                Groups: nonEmptyList(ni.Groups),
                AssociatePublicIpAddress: ni.AssociatePublicIpAddress,
                DeleteOnTermination: ni.DeleteOnTermination ?? true,
              }),
            ],
          }
        : { SubnetId: placement.subnetId }),
      Placement: placement.availabilityZone ? { AvailabilityZone: placement.availabilityZone } : undefined,
    });
  }
  const lc = source.configuration;
  const groups = lc.SecurityGroups ?? [];
  const groupIds = groups.length > 0 && groups.every((g) => g.startsWith('sg-')) ? groups : undefined;
  const groupNames = groups.length > 0 && !groupIds ? groups : undefined;
  // A public address choice needs a network interface; security groups then go there too.
  const withInterface = lc.AssociatePublicIpAddress !== undefined && placement.subnetId !== undefined;
  const tenancy = nonEmpty(lc.PlacementTenancy);
  const placementSpec = defined({ AvailabilityZone: placement.availabilityZone, Tenancy: tenancy as 'default' | 'dedicated' | 'host' | undefined });
  return defined({
    ...common,
    InstanceType: lc.InstanceType as RunInstancesCommandInput['InstanceType'],
    KeyName: nonEmpty(lc.KeyName),
    SecurityGroupIds: withInterface ? undefined : groupIds,
    SecurityGroups: withInterface ? undefined : groupNames,
    SubnetId: withInterface ? undefined : placement.subnetId,
    NetworkInterfaces: withInterface
      ? [
          defined<InstanceNetworkInterfaceSpecification>({
            DeviceIndex: 0,
            SubnetId: placement.subnetId,
            AssociatePublicIpAddress: lc.AssociatePublicIpAddress,
            Groups: groupIds,
            DeleteOnTermination: true,
          }),
        ]
      : undefined,
    ...(lcSettings(lc) as Partial<RunInstancesCommandInput>),
    BlockDeviceMappings: nonEmptyList(lc.BlockDeviceMappings?.map(blockDeviceMapping)),
    Placement: Object.keys(placementSpec).length > 0 ? placementSpec : undefined,
  });
}

/** A launch configuration's block device in RunInstances' shape (NoDevice is a flag there, "" here). */
/**
 * The settings of a launch configuration that RunInstances and a launch template take in the same
 * shape: instance profile (by ARN or name), user data (base64 as AWS gave it), monitoring, EBS
 * optimisation, metadata options, kernel, ramdisk and a spot price.
 */
function lcSettings(lc: LaunchConfiguration) {
  const profile = nonEmpty(lc.IamInstanceProfile);
  return {
    IamInstanceProfile: profile ? (profile.startsWith('arn:') ? { Arn: profile } : { Name: profile }) : undefined,
    UserData: nonEmpty(lc.UserData),
    Monitoring: lc.InstanceMonitoring?.Enabled !== undefined ? { Enabled: lc.InstanceMonitoring.Enabled } : undefined,
    EbsOptimized: lc.EbsOptimized,
    MetadataOptions: lc.MetadataOptions ? defined({ ...lc.MetadataOptions }) : undefined,
    KernelId: nonEmpty(lc.KernelId),
    RamdiskId: nonEmpty(lc.RamdiskId),
    InstanceMarketOptions: nonEmpty(lc.SpotPrice) ? { MarketType: 'spot' as const, SpotOptions: { MaxPrice: lc.SpotPrice } } : undefined,
  };
}

function blockDeviceMapping(m: NonNullable<LaunchConfiguration['BlockDeviceMappings']>[number]): BlockDeviceMapping {
  return defined({
    DeviceName: m.DeviceName,
    VirtualName: nonEmpty(m.VirtualName),
    Ebs: m.Ebs ? (defined({ ...m.Ebs }) as BlockDeviceMapping['Ebs']) : undefined,
    NoDevice: m.NoDevice ? '' : undefined,
  });
}

// ---------------------------------------------------------------- launch template from a launch configuration

/**
 * A new launch template whose version 1 holds a launch configuration's settings with `imageId`: the
 * mapping of runInstancesInput, in a template's shape. Security groups that are all VPC ids (sg-…) go to
 * SecurityGroupIds, names to SecurityGroups; an AssociatePublicIpAddress choice needs a network interface
 * (DeviceIndex 0), which then takes the group ids instead. UserData stays base64 as AWS gave it.
 */
export function launchTemplateFromConfiguration(
  lc: LaunchConfiguration,
  name: string,
  imageId: string,
  tags: Tag[],
): CreateLaunchTemplateCommandInput {
  const groups = lc.SecurityGroups ?? [];
  const groupIds = groups.length > 0 && groups.every((g) => g.startsWith('sg-')) ? groups : undefined;
  const groupNames = groups.length > 0 && !groupIds ? groups : undefined;
  const withInterface = lc.AssociatePublicIpAddress !== undefined;
  const tenancy = nonEmpty(lc.PlacementTenancy) as NonNullable<RequestLaunchTemplateData['Placement']>['Tenancy'];
  const data: RequestLaunchTemplateData = defined({
    ImageId: imageId,
    InstanceType: lc.InstanceType as RequestLaunchTemplateData['InstanceType'],
    KeyName: nonEmpty(lc.KeyName),
    SecurityGroupIds: withInterface ? undefined : groupIds,
    SecurityGroups: withInterface ? undefined : groupNames,
    NetworkInterfaces: withInterface
      ? [
          defined<LaunchTemplateInstanceNetworkInterfaceSpecificationRequest>({
            DeviceIndex: 0,
            AssociatePublicIpAddress: lc.AssociatePublicIpAddress,
            Groups: groupIds,
            DeleteOnTermination: true,
          }),
        ]
      : undefined,
    ...(lcSettings(lc) as Partial<RequestLaunchTemplateData>),
    BlockDeviceMappings: nonEmptyList(lc.BlockDeviceMappings?.map(templateBlockDeviceMapping)),
    Placement: tenancy ? { Tenancy: tenancy } : undefined,
  });
  return {
    LaunchTemplateName: name,
    VersionDescription: `bluegreen: launch configuration ${lc.LaunchConfigurationName ?? ''} with ${imageId}`,
    LaunchTemplateData: data,
    TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags }],
  };
}

/** A launch configuration's block device in a template's shape (NoDevice is "" there, a flag here). */
function templateBlockDeviceMapping(m: NonNullable<LaunchConfiguration['BlockDeviceMappings']>[number]): LaunchTemplateBlockDeviceMappingRequest {
  return defined({
    DeviceName: m.DeviceName,
    VirtualName: nonEmpty(m.VirtualName),
    Ebs: m.Ebs
      ? (defined({
          SnapshotId: nonEmpty(m.Ebs.SnapshotId),
          VolumeSize: m.Ebs.VolumeSize,
          VolumeType: nonEmpty(m.Ebs.VolumeType),
          DeleteOnTermination: m.Ebs.DeleteOnTermination,
          Iops: m.Ebs.Iops,
          Encrypted: m.Ebs.Encrypted,
          Throughput: m.Ebs.Throughput,
        }) as LaunchTemplateBlockDeviceMappingRequest['Ebs'])
      : undefined,
    NoDevice: m.NoDevice ? '' : undefined,
  });
}

// ---------------------------------------------------------------- remote

export type AddressKind = 'private' | 'public' | 'dns';

/** The host to run commands on, by `ssh.address`; an error message when the instance has no such address. */
export function hostOf(instance: Instance, address: AddressKind): RemoteHost | { error: string } {
  const id = instance.InstanceId ?? '';
  const value =
    address === 'private' ? instance.PrivateIpAddress : address === 'public' ? instance.PublicIpAddress : nonEmpty(instance.PublicDnsName);
  if (!value) {
    const what = address === 'private' ? 'private IP address' : address === 'public' ? 'public IP address' : 'public DNS name';
    return { error: `instance ${id} has no ${what} (ssh.address ${address}); choose another ssh.address or give the subnet public addresses` };
  }
  return { instanceId: id, address: value };
}

/** The environment every release command gets (the runner adds BLUEGREEN_INSTANCE_ID per host). */
export function commandEnv(service: string, deploymentId: string): Record<string, string> {
  return { BLUEGREEN_SERVICE: service, BLUEGREEN_DEPLOYMENT: deploymentId };
}

// ---------------------------------------------------------------- launch

/** A copy of blue's launch configuration with the new image; every other setting kept (UserData stays base64). */
export function launchConfigurationCopy(blue: LaunchConfiguration, name: string, imageId: string): CreateLaunchConfigurationCommandInput {
  return defined({
    LaunchConfigurationName: name,
    ImageId: imageId,
    InstanceType: blue.InstanceType,
    KeyName: nonEmpty(blue.KeyName),
    SecurityGroups: nonEmptyList(blue.SecurityGroups),
    IamInstanceProfile: nonEmpty(blue.IamInstanceProfile),
    UserData: nonEmpty(blue.UserData),
    BlockDeviceMappings: nonEmptyList(blue.BlockDeviceMappings),
    InstanceMonitoring: blue.InstanceMonitoring,
    MetadataOptions: blue.MetadataOptions,
    SpotPrice: nonEmpty(blue.SpotPrice),
    EbsOptimized: blue.EbsOptimized,
    AssociatePublicIpAddress: blue.AssociatePublicIpAddress,
    PlacementTenancy: nonEmpty(blue.PlacementTenancy),
    KernelId: nonEmpty(blue.KernelId),
    RamdiskId: nonEmpty(blue.RamdiskId),
  });
}

/**
 * The request shape of a template version's data. The response shape differs in a few places:
 * fields only AWS sets (Operator, MetadataOptions.State, IsPrimaryIpv6 of an address) are dropped, and
 * entries whose required field is missing are left out.
 */
export function toRequestLaunchTemplateData(data: ResponseLaunchTemplateData): RequestLaunchTemplateData {
  const {
    Operator: _operator,
    MetadataOptions,
    NetworkInterfaces,
    ElasticGpuSpecifications,
    ElasticInferenceAccelerators,
    CreditSpecification,
    TagSpecifications,
    ...rest
  } = data;
  const out: RequestLaunchTemplateData = { ...(rest as RequestLaunchTemplateData) };
  if (MetadataOptions) {
    const { State: _state, ...options } = MetadataOptions;
    out.MetadataOptions = options;
  }
  if (NetworkInterfaces) {
    out.NetworkInterfaces = NetworkInterfaces.map((ni) =>
      defined({
        ...ni,
        Ipv6Addresses: ni.Ipv6Addresses?.map((a) => defined({ Ipv6Address: a.Ipv6Address })),
      }),
    );
  }
  const gpus = ElasticGpuSpecifications?.flatMap((g) => (g.Type ? [{ Type: g.Type }] : []));
  if (gpus?.length) out.ElasticGpuSpecifications = gpus;
  const accelerators = ElasticInferenceAccelerators?.flatMap((a) => (a.Type ? [defined({ Type: a.Type, Count: a.Count })] : []));
  if (accelerators?.length) out.ElasticInferenceAccelerators = accelerators;
  if (CreditSpecification?.CpuCredits) out.CreditSpecification = { CpuCredits: CreditSpecification.CpuCredits };
  // Instance and volume tags: our own keys come from the group's propagated tags, not from blue's template.
  const tagSpecs = TagSpecifications?.map((s) => ({ ...s, Tags: s.Tags?.filter((t) => !isOwnTagKey(t.Key)) })).filter(
    (s) => (s.Tags?.length ?? 0) > 0,
  );
  if (tagSpecs?.length) out.TagSpecifications = tagSpecs;
  return defined(out);
}

/** A new launch template whose version 1 is blue's resolved version with the new image. */
export function launchTemplateCopy(blue: LaunchTemplateVersion, name: string, imageId: string, tags: OwnTags): CreateLaunchTemplateCommandInput {
  return {
    LaunchTemplateName: name,
    VersionDescription: `bluegreen ${tags.deploymentId}: ${blue.LaunchTemplateName ?? blue.LaunchTemplateId} version ${blue.VersionNumber} with ${imageId}`,
    LaunchTemplateData: { ...toRequestLaunchTemplateData(blue.LaunchTemplateData ?? {}), ImageId: imageId },
    TagSpecifications: [{ ResourceType: 'launch-template', Tags: ownTags(tags) }],
  };
}
