package dev.botgate.adapters.wecomkf;

import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.wecom.WeComCallbacks;
import dev.botgate.adapters.wxcrypto.WxXml;

import java.time.Instant;

/** Builds the 微信客服 callbacks WeCom sends (signed, encrypted XML). Public for the gateway's tests. */
public final class WeComKfCallbacks {
    private final WeComCallbacks signer;
    private final String corpId;

    /** For a bot with these callback settings. */
    public WeComKfCallbacks(String token, String encodingAesKey, String corpId) {
        this.signer = new WeComCallbacks(token, encodingAesKey, corpId);
        this.corpId = corpId;
    }

    /** The {@code kf_msg_or_event} event: new messages wait for {@code kf/sync_msg} with {@code syncToken}. */
    public SignedCallback event(String openKfId, String syncToken, Instant at) {
        return signer.message("<xml><ToUserName>" + WxXml.cdata(corpId) + "</ToUserName><CreateTime>"
                + at.getEpochSecond() + "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event>"
                + "<![CDATA[kf_msg_or_event]]></Event><Token>" + WxXml.cdata(syncToken) + "</Token><OpenKfId>"
                + WxXml.cdata(openKfId) + "</OpenKfId></xml>", at);
    }

    /** The URL-verification GET. */
    public SignedCallback urlVerification(String echoPlain, Instant at) {
        return signer.urlVerification(echoPlain, at);
    }
}
