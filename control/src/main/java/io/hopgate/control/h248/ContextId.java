package io.hopgate.control.h248;

/**
 * A ContextID (H.248.1 6.1.2, a UINT32). The special values use the binary-encoding numbers:
 * null context {@code -} = 0, CHOOSE {@code $} = 0xFFFFFFFE, ALL {@code *} = 0xFFFFFFFF; a
 * concrete context is 1..0xFFFFFFFD. Text {@code 0} is read as the null context.
 */
public record ContextId(long value) {
    public static final long NULL_VALUE = 0L;
    public static final long CHOOSE_VALUE = 0xFFFF_FFFEL;
    public static final long ALL_VALUE = 0xFFFF_FFFFL;

    public static final ContextId NULL = new ContextId(NULL_VALUE);
    public static final ContextId CHOOSE = new ContextId(CHOOSE_VALUE);
    public static final ContextId ALL = new ContextId(ALL_VALUE);

    public ContextId {
        if (value < 0 || value > ALL_VALUE) {
            throw new IllegalArgumentException("context id " + value + " out of range 0..4294967295");
        }
    }

    public static ContextId of(long value) {
        return new ContextId(value);
    }

    public boolean isNull() {
        return value == NULL_VALUE;
    }

    public boolean isChoose() {
        return value == CHOOSE_VALUE;
    }

    public boolean isAll() {
        return value == ALL_VALUE;
    }

    /** A real context number, not one of {@code - $ *}. */
    public boolean isConcrete() {
        return !isNull() && !isChoose() && !isAll();
    }

    /** The text form: {@code -}, {@code $}, {@code *} or the decimal number. */
    public String text() {
        if (isNull()) {
            return "-";
        }
        if (isChoose()) {
            return "$";
        }
        if (isAll()) {
            return "*";
        }
        return Long.toString(value);
    }

    @Override
    public String toString() {
        return text();
    }
}
