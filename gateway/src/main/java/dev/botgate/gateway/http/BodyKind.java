package dev.botgate.gateway.http;

/** What body a route takes, by path: the one place the body rules (size, type, emptiness) ask. */
enum BodyKind {
    /** Platform callbacks: whatever the platform sends (XML, JSON, forms), small. */
    HOOK,
    /** Knowledge-base uploads: multipart, large. */
    UPLOAD,
    /** Model files pushed to {@code /api/blobs/:digest} (what {@code ollama create} sends): raw bytes, unbounded. */
    BLOB,
    /** The JSON APIs under /api, /v1 and /admin. */
    JSON,
    /** Everything else (console, health, metrics): takes no body. */
    OTHER;

    static BodyKind of(String path) {
        if (path.startsWith("/hooks/")) {
            return HOOK;
        }
        if (path.startsWith("/api/blobs/")) {
            return BLOB;
        }
        if (path.startsWith("/admin/kb/") && path.endsWith("/upload")) {
            return UPLOAD;
        }
        if (path.startsWith("/api/") || path.startsWith("/v1/") || path.startsWith("/admin/")) {
            return JSON;
        }
        return OTHER;
    }
}
