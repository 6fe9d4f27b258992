import { describe, expect, it } from 'vitest';
import { MAX_STEER_SLOTS, slotOfAddress, steeringProgram } from '../../../src/balancer/kernel/steer-program.js';
import { Assembler, BPF, MAX_INSNS } from '../../../src/balancer/kernel/cbpf.js';
import { formatIPv4, formatIPv6 } from '../../../src/routing/address.js';
import { ipv4Header, ipv6Header, runCbpf } from '../../helpers/cbpf.js';
import { prng } from '../../helpers/prng.js';

const groupsOf = (words: number[]): number[] => words.flatMap((w) => [w >>> 16, w & 0xffff]);

const cases = [
  { slots: 2, seed: 0 },
  { slots: 3, seed: 7 },
  { slots: 8, seed: 0xffffffff },
  { slots: 16, seed: 12345, ipv4Prefix: 24, ipv6Prefix: 64 },
  { slots: 5, seed: 1, ipv4Prefix: 1, ipv6Prefix: 33 },
  { slots: 64, seed: 99, ipv4Prefix: 31, ipv6Prefix: 127 },
];

describe('reuseport steering program', () => {
  for (const opts of cases) {
    const name = `${opts.slots} slots, seed ${opts.seed}, prefixes ${opts.ipv4Prefix ?? '-'}/${opts.ipv6Prefix ?? '-'}`;
    const program = steeringProgram(opts);
    const r = prng(opts.slots * 31 + opts.seed);

    it(`picks the primary's slot for 2,000 random IPv4 sources (${name})`, () => {
      const wrong: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const v4 = r();
        if (runCbpf(program, ipv4Header(v4)) !== slotOfAddress(formatIPv4(v4), opts)) wrong.push(formatIPv4(v4));
      }
      expect(wrong).toEqual([]);
    });

    it(`picks the primary's slot for 2,000 random IPv6 sources (${name})`, () => {
      const wrong: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const words = [r(), r(), r(), r()];
        const text = formatIPv6(groupsOf(words));
        if (runCbpf(program, ipv6Header(words)) !== slotOfAddress(text, opts)) wrong.push(text);
      }
      expect(wrong).toEqual([]);
    });

    it(`routes an IPv4-mapped IPv6 source as its IPv4 address (${name})`, () => {
      for (let i = 0; i < 200; i++) {
        const v4 = r();
        const mapped = runCbpf(program, ipv6Header([0, 0, 0xffff, v4]));
        expect(mapped).toBe(runCbpf(program, ipv4Header(v4)));
        expect(mapped).toBe(slotOfAddress(`::ffff:${formatIPv4(v4)}`, opts));
      }
      // Not mapped: one bit off in the marker word.
      const near = [0, 0, 0xfffe, 0x7f000001];
      expect(runCbpf(program, ipv6Header(near))).toBe(slotOfAddress(formatIPv6(groupsOf(near)), opts));
    });
  }

  it('spreads sources over every slot', () => {
    const program = steeringProgram({ slots: 16, seed: 0 });
    const seen = new Set<number>();
    for (let x = 1; x < 255; x++) seen.add(runCbpf(program, ipv4Header(0x7f000000 + x)));
    expect(seen.size).toBe(16);
  });

  it('returns 0 when the address cannot be loaded, the failure the start-up self-test looks for', () => {
    const program = steeringProgram({ slots: 4, seed: 0 });
    const v4 = [...Array(255).keys()].map((x) => 0x7f000001 + x).find((a) => runCbpf(program, ipv4Header(a)) !== 0)!;
    expect(runCbpf(program, ipv4Header(v4).subarray(0, 14))).toBe(0);
  });

  it('with one slot always returns 0', () => {
    expect(steeringProgram({ slots: 1, seed: 5 })).toEqual([{ code: BPF.RET | BPF.K, jt: 0, jf: 0, k: 0 }]);
  });

  it(`fits ${MAX_STEER_SLOTS} slots in the kernel's ${MAX_INSNS} instructions and refuses more`, () => {
    expect(MAX_STEER_SLOTS).toBeGreaterThanOrEqual(128);
    expect(steeringProgram({ slots: MAX_STEER_SLOTS, seed: 0, ipv4Prefix: 24, ipv6Prefix: 64 }).length).toBeLessThanOrEqual(MAX_INSNS);
    expect(() => steeringProgram({ slots: MAX_STEER_SLOTS + 1, seed: 0 })).toThrow(RangeError);
    expect(() => steeringProgram({ slots: 0, seed: 0 })).toThrow(RangeError);
    expect(() => steeringProgram({ slots: 2.5, seed: 0 })).toThrow(RangeError);
  });

  it('grows by a fixed number of instructions per slot', () => {
    const sizes = [2, 16, 64].map((slots) => steeringProgram({ slots, seed: 0 }).length);
    expect(sizes[2]! - sizes[1]!).toBe((sizes[1]! - sizes[0]!) * 48 / 14);
  });
});

describe('cBPF assembler', () => {
  it('resolves forward labels into jump offsets', () => {
    const a = new Assembler();
    a.jump(BPF.JEQ, 1, 'yes', null).op(BPF.RET | BPF.K, 7).label('yes').op(BPF.RET | BPF.K, 9);
    const p = a.assemble();
    expect(p[0]).toEqual({ code: BPF.JMP | BPF.JEQ | BPF.K, jt: 1, jf: 0, k: 1 });
    expect(runCbpf(p, new Uint8Array(0))).toBe(7);
  });

  it('refuses a conditional jump past 255 instructions, a backward jump and an undefined label', () => {
    const far = new Assembler().jump(BPF.JEQ, 0, 'end', null);
    for (let i = 0; i < 256; i++) far.op(BPF.LD | BPF.IMM, i);
    far.label('end').op(BPF.RET | BPF.A);
    expect(() => far.assemble()).toThrow(/max 255/);
    expect(() => new Assembler().label('top').ja('top').assemble()).toThrow(/only forward/);
    expect(() => new Assembler().ja('nowhere').assemble()).toThrow(/not defined/);
    expect(() => new Assembler().label('x').label('x')).toThrow(/twice/);
  });
});
