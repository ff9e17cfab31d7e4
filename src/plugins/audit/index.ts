export { auditPlugin } from './plugin.ts';
export { AuditWriter, type AuditSink } from './writer.ts';
export { auditHttpRefusals, socketRefusalRecord, AUDITED_HEADER, type HttpRefusal } from './http.ts';
export { createRedactor, REDACTED, type Redactor } from './redact.ts';
export { verifyChain, type VerifyResult, type ChainBreak } from './verify.ts';
export { registerAuditCommand } from './cli.ts';
export { AUDIT_REDACTION_DEFAULTS, AUDIT_WRITER_DEFAULTS, type AuditPluginOptions, type AuditRedaction, type AuditWriterOptions } from './options.ts';
export { AnchorWriter, readAnchors, anchorMac, type Anchor, type AnchorFile } from './anchors.ts';
export { chainSeal, linkHash } from './chain.ts';
