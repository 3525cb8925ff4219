package dev.botgate.backend.store;

/** How an embedding model pools token vectors ({@code <arch>.pooling_type} in the GGUF, llama.cpp's numbering). */
public enum PoolingType {
    /** The key is absent: the model is a generator, or llama.cpp picks the architecture's default. */
    UNSPECIFIED(-1),
    NONE(0),
    MEAN(1),
    CLS(2),
    LAST(3),
    RANK(4);

    private final int code;

    PoolingType(int code) {
        this.code = code;
    }

    /** llama.cpp's number for this pooling type; -1 for {@link #UNSPECIFIED}. */
    public int code() {
        return code;
    }

    static PoolingType of(long code) {
        for (PoolingType p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        return UNSPECIFIED;
    }
}
