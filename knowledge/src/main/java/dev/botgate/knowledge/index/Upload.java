package dev.botgate.knowledge.index;

import java.util.Objects;

/**
 * An uploaded file to import.
 *
 * @param fileName the name the user gave it; its extension decides the type, and it is the document's source
 * @param content  the raw bytes
 */
public record Upload(String fileName, byte[] content) {
    public Upload {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(content, "content");
        if (fileName.isBlank()) {
            throw new KnowledgeException("an uploaded file needs a name with an extension, like faq.csv");
        }
    }
}
