/** Hands out small subnets from a configured pool so hundreds of session networks fit (Docker's default pools hold ~30). */

export interface Subnet {
  cidr: string;
  gateway: string;
}

function toInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`"${ip}" is not an IPv4 address`);
  }
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `largestPrefix`: an address on an interface may be a /31 or /32; a network to allocate from may not. */
export function parseCidr(cidr: string, largestPrefix = 30): { base: number; prefix: number } {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) throw new Error(`"${cidr}" is not a CIDR block such as 172.29.0.0/16`);
  const prefix = Number(match[2]);
  if (prefix > largestPrefix) throw new Error(`"${cidr}": prefix /${prefix} is too small for a network`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (toInt(match[1]!) & mask) >>> 0, prefix };
}

export class SubnetPool {
  private readonly base: number;
  private readonly size: number;
  private readonly count: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(
    poolCidr: string,
    readonly subnetPrefix: number,
  ) {
    const pool = parseCidr(poolCidr);
    if (subnetPrefix < pool.prefix || subnetPrefix > 29) {
      throw new Error(`subnet prefix /${subnetPrefix} must be between the pool's /${pool.prefix} and /29`);
    }
    this.base = pool.base;
    this.size = 2 ** (32 - subnetPrefix);
    this.count = 2 ** (subnetPrefix - pool.prefix);
  }

  get capacity(): number {
    return this.count;
  }

  /**
   * The next free subnet, or undefined when the pool is exhausted. `skip` lists CIDRs already taken
   * outside this process; `occupied`, networks of any size in use on this machine that a subnet must
   * not overlap (nothing else stops two bridges from sharing addresses).
   */
  allocate(skip: ReadonlySet<string> = new Set(), occupied: readonly string[] = []): Subnet | undefined {
    const ranges = occupied.map((cidr) => {
      const { base, prefix } = parseCidr(cidr, 32);
      return { start: base, end: base + 2 ** (32 - prefix) };
    });
    for (let i = 0; i < this.count; i++) {
      const index = (this.next + i) % this.count;
      if (this.used.has(index)) continue;
      const subnet = this.subnetAt(index);
      if (skip.has(subnet.cidr)) continue;
      const start = this.base + index * this.size;
      if (ranges.some((r) => r.start < start + this.size && start < r.end)) continue;
      this.used.add(index);
      this.next = (index + 1) % this.count;
      return subnet;
    }
    return undefined;
  }

  release(cidr: string): void {
    const { base } = parseCidr(cidr);
    this.used.delete((base - this.base) / this.size);
  }

  /** The address of a subnet's `index`th host (the gateway is .1, the hosts follow it). */
  static hostAddress(subnet: Subnet, index: number): string {
    const { base, prefix } = parseCidr(subnet.cidr);
    if (index + 2 >= 2 ** (32 - prefix) - 1) throw new Error(`${subnet.cidr} has no room for host ${index + 1}`);
    return toIp(base + 2 + index);
  }

  private subnetAt(index: number): Subnet {
    const start = this.base + index * this.size;
    return { cidr: `${toIp(start)}/${this.subnetPrefix}`, gateway: toIp(start + 1) };
  }
}
