package dev.botgate.knowledge.ingest;

/** Receives what {@link DocumentReader#readAll} finds, on the calling thread, in order. */
public interface ReadListener {
    /** Called once, first: how many files will be read (after expanding folders and zips). */
    void total(int files);

    void document(Document document);

    void skipped(Skipped skipped);
}
