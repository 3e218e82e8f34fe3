/** TaggingPort's SDK adapter against the SDK's mock: GetResources with the tag filter, every page, exact values only. */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, type GetResourcesCommandInput } from '@aws-sdk/client-resource-groups-tagging-api';
import { AwsClients } from '../../../src/aws/sdk/clients.js';
import { SdkTagging, TAGGING_PAGE } from '../../../src/aws/sdk/tagging.js';
import { awsError } from '../aws/aws-error.js';

const tagging = mockClient(ResourceGroupsTaggingAPIClient);
let port: SdkTagging;

beforeEach(() => {
  tagging.reset();
  port = new SdkTagging(new AwsClients({ region: 'us-east-1' }));
});

const arn = (i: number) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a-${i}`;

describe('resourcesTagged', () => {
  it('sends the one tag filter, follows PaginationToken to the last page, 100 a page', async () => {
    const all = Array.from({ length: 230 }, (_, i) => i);
    const tokens: (string | undefined)[] = [];
    tagging.on(GetResourcesCommand).callsFake((input: GetResourcesCommandInput) => {
      tokens.push(input.PaginationToken); // the paginator reuses one input object: read it as sent
      const start = Number(input.PaginationToken || 0);
      const page = all.slice(start, start + 100);
      return {
        ResourceTagMappingList: page.map((i) => ({ ResourceARN: arn(i), Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] })),
        // AWS ends with an empty token, not an absent one.
        PaginationToken: start + 100 < all.length ? String(start + 100) : '',
      };
    });
    const found = await port.resourcesTagged('bluegreen:service', 'shop');
    expect(found).toHaveLength(230);
    expect(found[0]).toEqual({ arn: arn(0), tags: [{ Key: 'bluegreen:service', Value: 'shop' }] });
    const inputs = tagging.commandCalls(GetResourcesCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(3);
    expect(inputs[0]).toMatchObject({ TagFilters: [{ Key: 'bluegreen:service', Values: ['shop'] }], ResourcesPerPage: TAGGING_PAGE });
    expect(tokens).toEqual([undefined, '100', '200']);
  });

  it("keeps only exact values (another service's, e.g. shop-blue, never) and each ARN once", async () => {
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        { ResourceARN: arn(1), Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] },
        { ResourceARN: arn(2), Tags: [{ Key: 'bluegreen:service', Value: 'shop-blue' }] },
        { ResourceARN: arn(3), Tags: [{ Key: 'bluegreen:service', Value: 'SHOP' }] },
        { ResourceARN: arn(1), Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] },
        { Tags: [{ Key: 'bluegreen:service', Value: 'shop' }] },
      ],
    });
    expect((await port.resourcesTagged('bluegreen:service', 'shop')).map((r) => r.arn)).toEqual([arn(1)]);
  });

  it('a failure names the call', async () => {
    tagging.on(GetResourcesCommand).rejects(awsError('AccessDeniedException'));
    await expect(port.resourcesTagged('bluegreen:service', 'shop')).rejects.toMatchObject({ operation: 'GetResources' });
  });
});
