/**
 * Classic BPF: the instruction format the kernel takes in struct sock_fprog, its opcodes,
 * and a small assembler with forward labels. Pure: no I/O.
 */

/** struct sock_filter. */
export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** linux/filter.h and linux/bpf_common.h. */
export const BPF = {
  LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, RET: 0x06, MISC: 0x07,
  W: 0x00, H: 0x08, B: 0x10,
  IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, LEN: 0x80, MSH: 0xa0,
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0,
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40,
  K: 0x00, X: 0x08, A: 0x10,
  TAX: 0x00, TXA: 0x80,
} as const;

/** Loads at SKF_NET_OFF + n read the packet from its network header, wherever data starts. */
export const SKF_NET_OFF = -0x100000;
/** BPF_MAXINSNS: the kernel refuses longer classic programs. */
export const MAX_INSNS = 4096;
/** BPF_MEMWORDS: scratch words M[0..15]. */
export const MEM_WORDS = 16;

type Target = string | null;

interface Pending {
  insn: Insn;
  jt?: Target;
  jf?: Target;
  ja?: string;
}

/**
 * Emits instructions in order; jumps name labels defined later (classic BPF only jumps
 * forward) or null for the next instruction. assemble() resolves them and fails when a
 * conditional jump is longer than its 8-bit offset allows.
 */
export class Assembler {
  private readonly out: Pending[] = [];
  private readonly labels = new Map<string, number>();

  get length(): number {
    return this.out.length;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`cBPF label ${name} defined twice`);
    this.labels.set(name, this.out.length);
    return this;
  }

  op(code: number, k = 0): this {
    this.out.push({ insn: { code, jt: 0, jf: 0, k: k >>> 0 } });
    return this;
  }

  /** A conditional jump on A against k: to `jt` when it holds, else to `jf`. */
  jump(cond: number, k: number, jt: Target, jf: Target): this {
    this.out.push({ insn: { code: BPF.JMP | cond | BPF.K, jt: 0, jf: 0, k: k >>> 0 }, jt, jf });
    return this;
  }

  /** A conditional jump on A against X. */
  jumpX(cond: number, jt: Target, jf: Target): this {
    this.out.push({ insn: { code: BPF.JMP | cond | BPF.X, jt: 0, jf: 0, k: 0 }, jt, jf });
    return this;
  }

  ja(label: string): this {
    this.out.push({ insn: { code: BPF.JMP | BPF.JA, jt: 0, jf: 0, k: 0 }, ja: label });
    return this;
  }

  assemble(): Insn[] {
    return this.out.map((p, pc) => {
      const insn = { ...p.insn };
      if (p.ja !== undefined) insn.k = this.offset(pc, p.ja);
      if (p.jt !== undefined) insn.jt = this.shortOffset(pc, p.jt);
      if (p.jf !== undefined) insn.jf = this.shortOffset(pc, p.jf);
      return insn;
    });
  }

  private offset(pc: number, label: string): number {
    const at = this.labels.get(label);
    if (at === undefined) throw new Error(`cBPF label ${label} is not defined`);
    if (at <= pc) throw new Error(`cBPF jumps only forward: ${label}`);
    return at - pc - 1;
  }

  private shortOffset(pc: number, target: Target): number {
    if (target === null) return 0;
    const off = this.offset(pc, target);
    if (off > 255) throw new Error(`cBPF conditional jump to ${target} is ${off} instructions long (max 255)`);
    return off;
  }
}
