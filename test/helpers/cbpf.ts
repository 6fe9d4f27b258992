/**
 * A classic BPF interpreter for the reuseport program, as the kernel runs it for TCP: the
 * packet data starts past the TCP header, so only loads at SKF_NET_OFF + n (network header)
 * reach the packet here. A load out of bounds ends the program with 0, as in the kernel.
 * Pure: tests check generated programs against the JS hash with it.
 */
import { BPF, MEM_WORDS, SKF_NET_OFF, type Insn } from '../../src/balancer/kernel/cbpf.js';

export function runCbpf(program: Insn[], network: Uint8Array): number {
  const mem = new Uint32Array(MEM_WORDS);
  let a = 0;
  let x = 0;
  const load = (k: number, size: number): number | null => {
    const off = (k | 0) - SKF_NET_OFF;
    if ((k | 0) >= 0 || off < 0 || off + size > network.length) return null;
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + network[off + i]!;
    return v >>> 0;
  };
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc]!;
    const cls = code & 0x07;
    if (cls === BPF.LD || cls === BPF.LDX) {
      const mode = code & 0xe0;
      const size = (code & 0x18) === BPF.W ? 4 : (code & 0x18) === BPF.H ? 2 : 1;
      let v: number | null;
      if (mode === BPF.IMM) v = k;
      else if (mode === BPF.MEM) v = mem[k]!;
      else if (mode === BPF.ABS && cls === BPF.LD) v = load(k, size);
      else throw new Error(`unsupported load 0x${code.toString(16)} at ${pc}`);
      if (v === null) return 0;
      if (cls === BPF.LD) a = v >>> 0;
      else x = v >>> 0;
    } else if (cls === BPF.ST) {
      mem[k] = a;
    } else if (cls === BPF.STX) {
      mem[k] = x;
    } else if (cls === BPF.ALU) {
      const operand = (code & BPF.X) ? x : k;
      a = alu(code & 0xf0, a, operand, pc) >>> 0;
    } else if (cls === BPF.JMP) {
      const op = code & 0xf0;
      if (op === BPF.JA) { pc += k; continue; }
      const operand = ((code & BPF.X) ? x : k) >>> 0;
      const holds = op === BPF.JEQ ? a === operand : op === BPF.JGT ? a > operand
        : op === BPF.JGE ? a >= operand : op === BPF.JSET ? (a & operand) !== 0 : fail(code, pc);
      pc += holds ? jt : jf;
    } else if (cls === BPF.RET) {
      return ((code & 0x18) === BPF.A ? a : k) >>> 0;
    } else if (cls === BPF.MISC) {
      if ((code & 0xf8) === BPF.TAX) x = a;
      else a = x;
    }
  }
  throw new Error('cBPF program ran off its end');
}

function alu(op: number, a: number, b: number, pc: number): number {
  switch (op) {
    case BPF.ADD: return a + b;
    case BPF.SUB: return a - b;
    case BPF.MUL: return Math.imul(a, b);
    case BPF.DIV: return b === 0 ? 0 : Math.floor((a >>> 0) / (b >>> 0));
    case BPF.MOD: return b === 0 ? 0 : (a >>> 0) % (b >>> 0);
    case BPF.OR: return a | b;
    case BPF.AND: return a & b;
    case BPF.XOR: return a ^ b;
    case BPF.LSH: return b >= 32 ? 0 : a << b;
    case BPF.RSH: return b >= 32 ? 0 : a >>> b;
    case BPF.NEG: return -a;
    default: return fail(op, pc);
  }
}

function fail(code: number, pc: number): never {
  throw new Error(`unsupported cBPF op 0x${code.toString(16)} at ${pc}`);
}

/** A network header with just what the program reads: version and source address. */
export function ipv4Header(address: number): Uint8Array {
  const h = new Uint8Array(20);
  h[0] = 0x45;
  new DataView(h.buffer).setUint32(12, address >>> 0);
  return h;
}

export function ipv6Header(words: readonly number[]): Uint8Array {
  const h = new Uint8Array(40);
  h[0] = 0x60;
  const view = new DataView(h.buffer);
  words.forEach((w, i) => view.setUint32(8 + 4 * i, w >>> 0));
  return h;
}
