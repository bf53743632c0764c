import { type LookupAddress, type LookupOptions, lookup as dnsLookup } from 'node:dns';
import { BlockList, type LookupFunction, isIP } from 'node:net';

/** Where webhooks may be sent. */
export interface AddressPolicy {
  /** Only `https` URLs (production). */
  httpsOnly: boolean;
  /** Loopback, private, link-local, CGNAT and unique-local addresses too (development). */
  allowPrivate: boolean;
}

/** A URL or address webhooks may not go to; the message says why (no secret in it). */
export class UnsafeWebhookUrlError extends Error {
  override readonly name = 'UnsafeWebhookUrlError';
}

/** Cloud metadata services: refused whatever the policy. */
const METADATA = new BlockList();
METADATA.addAddress('169.254.169.254', 'ipv4');
METADATA.addAddress('fd00:ec2::254', 'ipv6');

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** Why an address is refused under the policy, or null when it is allowed. */
export function refusal(address: string, policy: AddressPolicy): string | null {
  const lower = address.toLowerCase();
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 one.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  const plain = mapped ?? lower;
  const family = isIP(plain);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (METADATA.check(plain, type)) return `${address} is a cloud metadata address`;
  if (policy.allowPrivate) return null;
  if (PRIVATE.check(plain, type)) {
    return `${address} is a loopback, private, link-local or reserved address`;
  }
  return null;
}

/** The URL, parsed, when its form is acceptable (scheme, no credentials, a literal address allowed). */
export function checkUrl(text: string, policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UnsafeWebhookUrlError('the webhook URL is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UnsafeWebhookUrlError('the webhook URL must be http(s)');
  }
  if (policy.httpsOnly && url.protocol !== 'https:') {
    throw new UnsafeWebhookUrlError('the webhook URL must be https in production');
  }
  if (url.username || url.password) {
    throw new UnsafeWebhookUrlError('the webhook URL must not carry credentials');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const reason = refusal(host, policy);
    if (reason) throw new UnsafeWebhookUrlError(reason);
  }
  return url;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net/tls connections that resolves the name and refuses it when
 * any of its addresses is refused. The connection then uses exactly the
 * addresses checked: no second resolution a rebinding DNS server could answer
 * differently.
 */
export function safeLookup(policy: AddressPolicy): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.map((a) => refusal(a.address, policy)).find((r) => r !== null);
      if (refused || addresses.length === 0) {
        const failure: NodeJS.ErrnoException = new UnsafeWebhookUrlError(
          `${hostname} resolves to a refused address: ${refused ?? 'none'}`,
        );
        failure.code = 'EWEBHOOKUNSAFE';
        return callback(failure, []);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** At creation: the URL's form, then every address its name resolves to. */
export async function checkDestination(text: string, policy: AddressPolicy): Promise<URL> {
  const url = checkUrl(text, policy);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return url;
  await new Promise<void>((resolve, reject) => {
    safeLookup(policy)(host, { all: true }, (error) => {
      if (!error) return resolve();
      reject(
        error instanceof UnsafeWebhookUrlError
          ? error
          : new UnsafeWebhookUrlError(`${host} does not resolve`),
      );
    });
  });
  return url;
}
