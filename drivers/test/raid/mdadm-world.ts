import { ManualClock } from '../../src/clock.js';
import type { CommandResult, CommandRunner, CommandRunOptions } from '../../src/command-runner.js';
import { ConfirmationGate } from '../../src/confirmation.js';
import { MdadmRaidDriver } from '../../src/raid/mdadm-raid-driver.js';
import { makeFakeTree, materialiseSysfsListing, type FakeTree } from '../helpers/fake-sysfs.js';
import { readFixture } from '../helpers/fixtures.js';

/** One call the scripted mdadm saw. */
export type MdadmCall = readonly string[];

/**
 * A scripted mdadm for the real backend: `--detail /dev/md1` answers with the captured output of the
 * array's current state, and the state moves on the mdadm calls that change it in real life, along
 * the sequence the captures were taken in (jc fixtures, one VM: clean → fail → add spare).
 */
export class ScriptedMdadm implements CommandRunner {
  readonly calls: MdadmCall[] = [];
  readonly timeouts: number[] = [];
  detailFixture = 'mdadm-detail-raid1-clean.txt';

  run(cmd: string, args: readonly string[], options: CommandRunOptions): Promise<CommandResult> {
    this.calls.push([...args]);
    this.timeouts.push(options.timeoutMs);
    if (cmd !== 'mdadm') return Promise.resolve({ stdout: '', stderr: `${cmd}: not found`, exitCode: 127 });
    if (args[0] === '--detail') {
      if (args[1] !== '/dev/md1')
        return Promise.resolve({ stdout: '', stderr: `mdadm: cannot open ${args[1] ?? ''}`, exitCode: 1 });
      return Promise.resolve({ stdout: readFixture(this.detailFixture), stderr: '', exitCode: 0 });
    }
    if (args.includes('--fail')) this.detailFixture = 'mdadm-detail-raid1-degraded-faulty.txt';
    if (args.includes('--remove')) this.detailFixture = 'mdadm-detail-raid1-degraded-removed.txt';
    if (args.includes('--add-spare') || args.includes('--add')) {
      this.detailFixture = 'mdadm-detail-raid1-recovering-24pct-faulty.txt';
    }
    return Promise.resolve({ stdout: '', stderr: '', exitCode: 0 });
  }

  /** The mutating calls (everything but --detail). */
  actions(): MdadmCall[] {
    return this.calls.filter((c) => c[0] !== '--detail');
  }
}

/** A fake host for MdadmRaidDriver: /proc and /sys trees built from captures, plus a scripted mdadm. */
export interface MdadmWorld {
  readonly driver: MdadmRaidDriver;
  readonly clock: ManualClock;
  readonly mdadm: ScriptedMdadm;
  readonly sys: FakeTree;
  readonly proc: FakeTree;
  cleanup(): Promise<void>;
}

/** Options of {@link makeMdadmWorld}. */
export interface MdadmWorldOptions {
  /** Contents of /proc/mounts (default: root on nvme0n1p2, /boot/efi on nvme0n1p1). */
  readonly mounts?: string;
  /** The /proc/mdstat fixture (default: the clean RAID1 md1 excerpt). */
  readonly mdstatFixture?: string;
}

const DEFAULT_MOUNTS = [
  'sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0',
  'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
  '/dev/nvme0n1p2 / ext4 rw,relatime,errors=remount-ro 0 0',
  '/dev/nvme0n1p1 /boot/efi vfat rw,relatime,fmask=0077,dmask=0077 0 0',
  '',
].join('\n');

/**
 * Builds the fake host: md sysfs from the procfs capture (md1 is an idle RAID1), a virtio disk vda
 * with partitions vda1, vda2, vda4 (the members in the mdadm captures), a system NVMe disk and the
 * md speed limits at the kernel defaults.
 */
export async function makeMdadmWorld(options: MdadmWorldOptions = {}): Promise<MdadmWorld> {
  const sys = await makeFakeTree('baluhost-sys-');
  const proc = await makeFakeTree('baluhost-proc-');
  await materialiseSysfsListing(sys, readFixture('sysfs-md.txt'));
  await sys.write({
    'block/md1/size': '202752\n',
    'block/vda/size': '20971520\n',
    'block/vda/vda1/partition': '1\n',
    'block/vda/vda2/partition': '2\n',
    'block/vda/vda4/partition': '4\n',
    'block/nvme0n1/size': '1000215216\n',
    'block/nvme0n1/nvme0n1p1/partition': '1\n',
    'block/nvme0n1/nvme0n1p2/partition': '2\n',
    'block/loop0/size': '0\n',
  });
  await proc.write({
    mdstat: readFixture(options.mdstatFixture ?? 'mdstat-raid1-clean-excerpt.txt'),
    mounts: options.mounts ?? DEFAULT_MOUNTS,
    'sys/dev/raid/speed_limit_min': '1000\n',
    'sys/dev/raid/speed_limit_max': '200000\n',
  });
  const clock = new ManualClock();
  const mdadm = new ScriptedMdadm();
  const driver = new MdadmRaidDriver({
    runner: mdadm,
    confirmations: new ConfirmationGate({ clock }),
    procRoot: proc.root,
    sysfsRoot: sys.root,
    timeoutMs: 5000,
  });
  return {
    driver,
    clock,
    mdadm,
    sys,
    proc,
    async cleanup() {
      await sys.cleanup();
      await proc.cleanup();
    },
  };
}
