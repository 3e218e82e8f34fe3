#!/usr/bin/env python3
"""The reference bluegreen's `deploy` is measured against (scripts/bench.ts, part `reference`).

Approach 2 of the seed (the Practo article, /work/shared/seed/000_aeb0ddb9e3608d6c.txt), written as the
plain boto3 script an operator would write, on the bench's replica-dns stack:

  1. copy blue's launch configuration with the new AMI            (copy_lc_with_new_ami)
  2. create a classic ELB like blue's: listeners, subnets, security groups, scheme, tags, health check
                                                                     (create_elb_replica)
  3. create the group like blue's, behind the new ELB               (create_asg_replica)
  4. copy blue's scaling policies, and the alarms acting on them    (create_scaling_policy, create_alarm_for_policy)
  5. wait until every instance of the new group is InService in the new ELB, polling every --interval
     seconds                                                         (check_if_instances_in_service)
  6. UPSERT the Route 53 alias record to the new ELB and wait until the change is INSYNC (switch_traffic)
  7. scale blue to zero                                             (update_asg_min_capacity)

No plan, no journal, no lock, no rollback: what it leaves out is what bluegreen adds. It reads the
endpoint, region and credentials from the environment (AWS_ENDPOINT_URL and the rest, as the bench
sets them for moto). Prints one line of JSON: the wall time inside the script and its AWS calls.

    python3 scripts/bench-reference.py --group shop-blue --image ami-... --zone Z... --record shop.example.com --interval 1
"""
import argparse
import json
import time

T0 = time.perf_counter()

import boto3  # noqa: E402  (timed: importing boto3 is part of what the script costs)

# The hosted zone id of classic ELBs in us-east-1: moto's descriptions leave CanonicalHostedZoneNameID out.
CLASSIC_ELB_ZONE_US_EAST_1 = 'Z35SXDOTRQ7X7K'

CALLS = {}


def count(params, model, **_):
    key = f'{model.service_model.endpoint_prefix}:{model.name}'
    CALLS[key] = CALLS.get(key, 0) + 1


def client(name):
    c = boto3.client(name)
    c.meta.events.register('before-call.*.*', lambda params, model, **kw: count(params, model))
    return c


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--group', required=True, help="blue's Auto Scaling group")
    p.add_argument('--image', required=True, help='the AMI with the new code')
    p.add_argument('--zone', required=True, help='the hosted zone id')
    p.add_argument('--record', required=True, help='the alias A record users resolve')
    p.add_argument('--interval', type=float, default=1.0, help='seconds between health and INSYNC polls')
    p.add_argument('--timeout', type=float, default=60.0, help='seconds to wait for InService')
    p.add_argument('--suffix', default='green', help='appended to the new resources\' names')
    a = p.parse_args()

    asg = client('autoscaling')
    elb = client('elb')
    cloudwatch = client('cloudwatch')
    route53 = client('route53')

    # Blue's group and launch configuration.
    blue = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[a.group])['AutoScalingGroups'][0]
    old_lc = asg.describe_launch_configurations(LaunchConfigurationNames=[blue['LaunchConfigurationName']])['LaunchConfigurations'][0]

    # 1. The launch configuration, copied with the new AMI.
    new_lc = f"{blue['LaunchConfigurationName']}-{a.suffix}"
    lc = {'LaunchConfigurationName': new_lc, 'ImageId': a.image, 'InstanceType': old_lc['InstanceType']}
    for key in ('KeyName', 'SecurityGroups', 'UserData', 'IamInstanceProfile', 'InstanceMonitoring', 'EbsOptimized',
                'BlockDeviceMappings', 'MetadataOptions'):
        if old_lc.get(key) not in (None, '', []):
            lc[key] = old_lc[key]
    asg.create_launch_configuration(**lc)

    # 2. The load balancer, like blue's.
    old_elb_name = blue['LoadBalancerNames'][0]
    old_elb = elb.describe_load_balancers(LoadBalancerNames=[old_elb_name])['LoadBalancerDescriptions'][0]
    tags = elb.describe_tags(LoadBalancerNames=[old_elb_name])['TagDescriptions'][0].get('Tags', [])
    new_elb_name = f'{old_elb_name}-{a.suffix}'[:32]
    elb.create_load_balancer(
        LoadBalancerName=new_elb_name,
        Listeners=[ld['Listener'] for ld in old_elb['ListenerDescriptions']],
        Subnets=old_elb['Subnets'],
        SecurityGroups=old_elb['SecurityGroups'],
        Scheme=old_elb['Scheme'],
        **({'Tags': tags} if tags else {}),
    )
    elb.configure_health_check(LoadBalancerName=new_elb_name, HealthCheck=old_elb['HealthCheck'])

    # 3. The group, like blue's.
    new_asg = f"{a.group}-{a.suffix}"
    asg.create_auto_scaling_group(
        AutoScalingGroupName=new_asg,
        LaunchConfigurationName=new_lc,
        MinSize=blue['MinSize'],
        MaxSize=blue['MaxSize'],
        DesiredCapacity=blue['DesiredCapacity'],
        DefaultCooldown=blue['DefaultCooldown'],
        AvailabilityZones=blue['AvailabilityZones'],
        LoadBalancerNames=[new_elb_name],
        HealthCheckType=blue['HealthCheckType'],
        HealthCheckGracePeriod=blue['HealthCheckGracePeriod'],
        VPCZoneIdentifier=blue['VPCZoneIdentifier'],
        TerminationPolicies=blue['TerminationPolicies'],
        NewInstancesProtectedFromScaleIn=blue['NewInstancesProtectedFromScaleIn'],
        Tags=[{k: t[k] for k in ('Key', 'Value', 'PropagateAtLaunch')} for t in blue.get('Tags', [])],
    )

    # 4. Scaling policies, and the alarms acting on them.
    for policy in asg.describe_policies(AutoScalingGroupName=a.group)['ScalingPolicies']:
        put = {k: policy[k] for k in ('PolicyName', 'PolicyType', 'AdjustmentType', 'ScalingAdjustment', 'Cooldown') if k in policy}
        arn = asg.put_scaling_policy(AutoScalingGroupName=new_asg, **put).get('PolicyARN')
        if not arn:  # moto's PutScalingPolicy returns none: read it back
            arn = asg.describe_policies(AutoScalingGroupName=new_asg, PolicyNames=[policy['PolicyName']])['ScalingPolicies'][0]['PolicyARN']
        for alarm in cloudwatch.describe_alarms(ActionPrefix=policy['PolicyARN'])['MetricAlarms']:
            cloudwatch.put_metric_alarm(
                AlarmName=f"{alarm['AlarmName']}-{a.suffix}",
                AlarmDescription=alarm.get('AlarmDescription', ''),
                ActionsEnabled=alarm['ActionsEnabled'],
                AlarmActions=[arn if x == policy['PolicyARN'] else x for x in alarm.get('AlarmActions', [])],
                OKActions=alarm.get('OKActions', []),
                MetricName=alarm['MetricName'],
                Namespace=alarm['Namespace'],
                Statistic=alarm['Statistic'],
                Dimensions=[{'Name': 'AutoScalingGroupName', 'Value': new_asg}],
                Period=alarm['Period'],
                EvaluationPeriods=alarm['EvaluationPeriods'],
                Threshold=alarm['Threshold'],
                ComparisonOperator=alarm['ComparisonOperator'],
                **({'TreatMissingData': alarm['TreatMissingData']} if 'TreatMissingData' in alarm else {}),
            )

    # 5. Every instance InService behind the new load balancer.
    deadline = time.monotonic() + a.timeout
    while True:
        group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[new_asg])['AutoScalingGroups'][0]
        ids = [i['InstanceId'] for i in group['Instances']]
        states = elb.describe_instance_health(LoadBalancerName=new_elb_name)['InstanceStates'] if ids else []
        healthy = {s['InstanceId'] for s in states if s['State'] == 'InService'}
        if len(ids) >= blue['DesiredCapacity'] and set(ids) <= healthy:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f'{new_asg}: not InService within {a.timeout}s')
        time.sleep(a.interval)

    # 6. The alias record to the new load balancer, then INSYNC.
    new = elb.describe_load_balancers(LoadBalancerNames=[new_elb_name])['LoadBalancerDescriptions'][0]
    change = route53.change_resource_record_sets(
        HostedZoneId=a.zone,
        ChangeBatch={
            'Comment': 'Switching to new ELB',
            'Changes': [{
                'Action': 'UPSERT',
                'ResourceRecordSet': {
                    'Name': a.record,
                    'Type': 'A',
                    'AliasTarget': {
                        'HostedZoneId': new.get('CanonicalHostedZoneNameID') or CLASSIC_ELB_ZONE_US_EAST_1,
                        'DNSName': new['DNSName'],
                        'EvaluateTargetHealth': False,
                    },
                },
            }],
        },
    )['ChangeInfo']
    while change['Status'] != 'INSYNC':
        time.sleep(a.interval)
        change = route53.get_change(Id=change['Id'])['ChangeInfo']

    # 7. Blue scaled to zero.
    asg.update_auto_scaling_group(AutoScalingGroupName=a.group, MinSize=0, DesiredCapacity=0)

    print(json.dumps({'status': 'succeeded', 'ms': (time.perf_counter() - T0) * 1000, 'calls': CALLS}))


if __name__ == '__main__':
    main()
