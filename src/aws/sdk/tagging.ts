/**
 * TaggingPort on the Resource Groups Tagging API (SDK v3): GetResources with one tag filter, every page
 * (PaginationToken), up to 100 resources a page (AWS's largest ResourcesPerPage).
 *
 * GetResources answers the ARN and the tags of each resource "tagged or previously tagged" in the region;
 * with a TagFilter, only those whose tag has exactly one of the values given
 * (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html). It reaches
 * every service but a few: Auto Scaling groups are not returned ("GetResources ... aren't supported at this
 * time", https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html), and
 * it may still list a resource for a while after it was deleted: the janitor describes what it found with the
 * resource's own service before it believes it (src/janitor/inventory.ts).
 */
import type { TaggedResource, TaggingPort } from '../ports.js';
import type { AwsClients } from './clients.js';
import { allPages, awsCall } from './call.js';

/** GetResources' largest page (ResourcesPerPage: 1-100). */
export const TAGGING_PAGE = 100;

export class SdkTagging implements TaggingPort {
  constructor(private readonly clients: AwsClients) {}

  async resourcesTagged(key: string, value: string): Promise<TaggedResource[]> {
    const { client, sdk: tag } = await this.clients.tagging();
    const all = await awsCall('GetResources', `resources tagged ${key}=${value}`, () =>
      allPages(
        tag.paginateGetResources({ client, pageSize: TAGGING_PAGE }, { TagFilters: [{ Key: key, Values: [value] }] }),
        (page) => page.ResourceTagMappingList,
      ),
    );
    const out: TaggedResource[] = [];
    const seen = new Set<string>();
    for (const mapping of all) {
      const arn = mapping.ResourceARN;
      if (!arn || seen.has(arn)) continue;
      seen.add(arn);
      const tags = (mapping.Tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [{ Key: t.Key, Value: t.Value ?? '' }]));
      // The filter is AWS's; the exact value is checked here too: another service's resource is never ours.
      if (tags.some((t) => t.Key === key && t.Value === value)) out.push({ arn, tags });
    }
    return out;
  }
}
