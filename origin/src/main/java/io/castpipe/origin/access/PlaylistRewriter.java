package io.castpipe.origin.access;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds {@code token=…} to every URI of an HLS playlist — the URI lines and the {@code URI="…"}
 * attributes of tags such as {@code EXT-X-MAP}, {@code EXT-X-MEDIA}, {@code EXT-X-KEY} — so that
 * a player that got the playlist with a token asks for everything below it with the same token.
 * An existing query is kept (an older {@code token} parameter is replaced). Absolute URIs
 * ({@code https://…}, {@code //host/…}) are left alone: the token is for this origin only.
 */
public final class PlaylistRewriter {
    private static final Pattern URI_ATTRIBUTE = Pattern.compile("URI=\"([^\"]*)\"");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    private PlaylistRewriter() {
    }

    public static byte[] addToken(byte[] playlist, String token) {
        String text = new String(playlist, StandardCharsets.UTF_8);
        String param = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(text.length() + 64 * 8);
        int start = 0;
        while (start <= text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            int contentEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
            String line = text.substring(start, contentEnd);
            out.append(rewriteLine(line, param)).append(text, contentEnd, end);
            if (nl < 0) {
                break;
            }
            out.append('\n');
            start = nl + 1;
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String rewriteLine(String line, String param) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return line;
        }
        if (trimmed.startsWith("#")) {
            if (!trimmed.contains("URI=\"")) {
                return line;
            }
            Matcher m = URI_ATTRIBUTE.matcher(line);
            StringBuilder sb = new StringBuilder(line.length() + param.length() * 2);
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement("URI=\"" + withParam(m.group(1), param) + "\""));
            }
            m.appendTail(sb);
            return sb.toString();
        }
        return withParam(trimmed, param);
    }

    static String withParam(String uri, String param) {
        if (uri.isEmpty() || uri.startsWith("//") || SCHEME.matcher(uri).find()) {
            return uri;
        }
        String fragment = "";
        int hash = uri.indexOf('#');
        if (hash >= 0) {
            fragment = uri.substring(hash);
            uri = uri.substring(0, hash);
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        StringBuilder query = new StringBuilder();
        if (q >= 0) {
            for (String p : uri.substring(q + 1).split("&")) {
                if (p.isEmpty() || p.equals("token") || p.startsWith("token=")) {
                    continue;
                }
                query.append(p).append('&');
            }
        }
        query.append(param);
        return path + "?" + query + fragment;
    }
}
