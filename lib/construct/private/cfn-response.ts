import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/*
 * The answer of cnf-admin's custom resource providers to CloudFormation. It
 * is bundled into each provider (inline or as an asset), so it may import
 * nothing but types.
 */

/** How a provider's request ended: the status, a reason for people, and the resource's attributes. */
type Outcome = Pick<CloudFormationCustomResourceResponse, 'Status' | 'Reason'> & { readonly Data?: Record<string, string> };

/** The longest reason CloudFormation shows in full; the response must stay under 4 KB. */
const MAX_REASON = 1500;

/**
 * Sends the outcome to CloudFormation's pre-signed response URL.
 *
 * @throws Error when CloudFormation does not take the response.
 */
async function respond(event: CloudFormationCustomResourceEvent, outcome: Outcome): Promise<void> {
  const body: CloudFormationCustomResourceResponse = {
    Status: outcome.Status,
    Reason: (outcome.Reason ?? '').slice(0, MAX_REASON),
    PhysicalResourceId: event.RequestType === 'Create' ? event.LogicalResourceId : event.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(outcome.Data === undefined ? {} : { Data: outcome.Data }),
  };
  // The URL is signed for an empty content type.
  const response = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`CloudFormation did not take the response: HTTP ${response.status} ${await response.text()}`);
}

export { respond };
export type { Outcome };
