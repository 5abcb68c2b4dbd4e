import * as z from 'zod';

/** The format of labs/<id>/lab.yaml. Validated when the server starts, when the site builds, and in tests. */

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, starting with a letter');
const port = z.number().int().min(1).max(65535);
const text = z.string().trim().min(1, 'must not be empty');

export const labHostSchema = z
  .object({
    name,
    role: z.enum(['workstation', 'server']),
    description: text.optional(),
    /** sshd ports; the first is the one the backend logs in on. */
    ports: z.array(port).min(1).default([22]),
    /** sshd AllowTcpForwarding; only labs that teach forwarding turn it on. */
    forwarding: z.enum(['no', 'local', 'remote', 'yes']).default('no'),
    agentForwarding: z.boolean().default(false),
  })
  .strict();

/** Runs once when the environment is provisioned, through the backend (not the learner's shell or history). */
export const labSetupSchema = z
  .object({
    host: name,
    user: z.enum(['learner', 'root']).default('learner'),
    /** A bash script; {{…}} placeholders are filled in first (see template.ts). */
    run: text.optional(),
    /** A folder of this lab (relative to it) copied into the user's home, keeping modes. */
    files: text.optional(),
    /** Run without waiting for it to finish (e.g. a service that keeps running). */
    background: z.boolean().default(false),
  })
  .strict()
  .refine((s) => s.run || s.files, 'a setup entry needs run or files');

/** One thing a replay does in the terminal: type a command and wait for the prompt, or answer a prompt. */
export const replayActionSchema = z.union([
  z.string().min(1),
  z.object({ run: text, expect: z.string().optional() }).strict(),
  z.object({ expect: text, send: z.string() }).strict(),
]);

export const labStepSchema = z
  .object({
    id: name,
    title: text,
    /** Markdown shown to the learner. Fenced ```bash blocks get Run/Copy buttons. */
    instructions: text,
    /** A nudge shown with a failed check; never the answer itself. */
    hint: text,
    optional: z.boolean().optional(),
  })
  .strict();

export const labMistakeSchema = z
  .object({
    name: text,
    step: name,
    /** What the learner does wrong, replayed on a fresh environment. */
    commands: z.array(replayActionSchema).min(1),
    /** Text the step's failure message must contain. */
    message: text,
  })
  .strict();

export const labDefinitionSchema = z
  .object({
    id: name,
    title: text,
    summary: text,
    /** The tutorial page that teaches this lab's topic, e.g. /docs/everyday-ssh. */
    chapter: z.string().regex(/^\/docs\//),
    difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
    minutes: z.number().int().min(1).max(120),
    hosts: z.array(labHostSchema).min(1),
    setup: z.array(labSetupSchema).default([]),
    steps: z.array(labStepSchema).min(1),
    /** The reference solution: for each step, what a learner would type. */
    solution: z.record(name, z.array(replayActionSchema).min(1)),
    mistakes: z.array(labMistakeSchema).default([]),
  })
  .strict()
  .superRefine((lab, ctx) => {
    const hostNames = lab.hosts.map((h) => h.name);
    const stepIds = lab.steps.map((s) => s.id);
    const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path });
    if (lab.hosts.filter((h) => h.role === 'workstation').length !== 1) issue('exactly one host must have role workstation', ['hosts']);
    if (new Set(hostNames).size !== hostNames.length) issue('host names must be unique', ['hosts']);
    if (new Set(stepIds).size !== stepIds.length) issue('step ids must be unique', ['steps']);
    for (const [i, s] of lab.setup.entries()) if (!hostNames.includes(s.host)) issue(`unknown host "${s.host}"`, ['setup', i, 'host']);
    for (const id of stepIds) if (!lab.solution[id]) issue(`step "${id}" has no solution`, ['solution']);
    for (const id of Object.keys(lab.solution)) if (!stepIds.includes(id)) issue(`solution for unknown step "${id}"`, ['solution', id]);
    for (const [i, m] of lab.mistakes.entries()) if (!stepIds.includes(m.step)) issue(`unknown step "${m.step}"`, ['mistakes', i, 'step']);
  });

export type LabHost = z.infer<typeof labHostSchema>;
export type LabSetup = z.infer<typeof labSetupSchema>;
export type ReplayAction = z.infer<typeof replayActionSchema>;
export type LabStep = z.infer<typeof labStepSchema>;
export type LabMistake = z.infer<typeof labMistakeSchema>;
export type LabDefinition = z.infer<typeof labDefinitionSchema>;
