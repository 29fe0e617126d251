/**
 * H.248/Megaco text codec (RFC 3525 Annex B, ITU-T H.248.1 v1/v2 text encoding, plus the v3
 * topology directions {@code onewayexternal}/{@code onewayboth}).
 *
 * <p>Owns: the typed message model ({@link io.hopgate.control.h248.Message} and the records it
 * holds), the parser ({@link io.hopgate.control.h248.MessageParser}: a bounded generic tree
 * parser plus a typed decoder on top), the writer ({@link io.hopgate.control.h248.MegacoWriter},
 * pretty and compact), the token table and the H.248.8 error codes.
 *
 * <p>Threads: none of its own. Everything is pure and stateless; parser and writer instances are
 * immutable and may be shared by any thread. It allocates, so it belongs on the control path,
 * never the per-packet path. Both the gateway (MG) side and the call server (MGC) side use it, so
 * every message kind is both parsed and written.
 *
 * <p>Errors: a message that cannot be read raises {@link io.hopgate.control.h248.MegacoSyntaxException}
 * (H.248 error 400) naming the line, column and what was expected; nothing else escapes the parser.
 * Semantic failures elsewhere are raised as {@link io.hopgate.control.h248.MegacoException} with an
 * {@link io.hopgate.control.h248.ErrorCode} and become an Error descriptor at one boundary.
 */
package io.hopgate.control.h248;
