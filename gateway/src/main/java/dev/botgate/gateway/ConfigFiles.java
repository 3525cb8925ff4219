package dev.botgate.gateway;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads configuration once, in this order of precedence: environment variables (a key's name upper-cased with dots
 * and dashes turned into underscores: {@code engine.parallel-slots} → {@code ENGINE_PARALLEL_SLOTS}), the user's
 * file ({@code --config FILE}), the defaults shipped as {@code config/application.yaml}.
 *
 * <p>{@code ${VAR}} references are not resolved here but where a value is read ({@link #resolve}), so a missing
 * variable is reported against the exact key that needs it.
 */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /**
     * @throws ConfigException when the user file is missing or is not valid YAML
     */
    public static Config load(Optional<Path> userFile, Map<String, String> env) {
        String defaults = defaultsText();
        Config base = Config.just(defaults, MediaTypes.APPLICATION_X_YAML);
        Map<String, String> overrides = new HashMap<>();
        base.traverse().filter(Config::isLeaf).forEach(node -> {
            String key = node.key().toString();
            String value = env.get(envName(key));
            if (value != null && !key.startsWith("bots")) {
                overrides.put(key, value);
            }
        });
        List<java.util.function.Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        sources.add(ConfigSources.create(overrides).build());
        if (userFile.isPresent()) {
            Path file = userFile.get();
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("config file " + file + " does not exist");
            }
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Config.just(text, MediaTypes.APPLICATION_X_YAML).traverse().count();
                sources.add(() -> ConfigSources.create(text, MediaTypes.APPLICATION_X_YAML));
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
            } catch (RuntimeException e) {
                throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage());
            }
        }
        sources.add(() -> ConfigSources.create(defaults, MediaTypes.APPLICATION_X_YAML));
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .disableValueResolving()
                .disableKeyResolving()
                .sources(sources)
                .build();
    }

    /** The environment variable that overrides a key. */
    public static String envName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Resolves {@code ${VAR}} references in a value from the environment.
     *
     * @throws ConfigException naming the key and the variable when it is not set
     */
    public static String resolve(String key, String value, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            int end = value.indexOf('}', start);
            if (end < 0) {
                throw new ConfigException(key + ": unterminated ${ in value");
            }
            out.append(value, i, start);
            String var = value.substring(start + 2, end);
            String v = env.get(var);
            if (v == null) {
                throw new ConfigException(key + ": environment variable " + var + " is not set");
            }
            out.append(v);
            i = end + 1;
        }
        return out.toString();
    }

    static String defaultsText() {
        try (InputStream in = ConfigFiles.class.getResourceAsStream("/application.yaml")) {
            if (in == null) {
                throw new IllegalStateException("application.yaml missing from the classpath: broken build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
