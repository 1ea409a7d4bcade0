"""Hostile Markdown for the rendering tests: each payload must come out harmless.

Keys are the test ids, so a failure names the trick. Sources: the OWASP XSS filter
evasion cheat sheet, PortSwigger's XSS cheat sheet, and published DOMPurify/bleach
mutation-XSS bypasses, rewritten to reach a Markdown renderer.
"""

from __future__ import annotations

_SVG_ONLOAD_B64 = "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"  # <svg onload=alert(1)>
_SCRIPT_B64 = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>

SCRIPT_TAGS = {
    "script-tag": "<script>alert(1)</script>",
    "script-upper-case-src": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script-inline-in-text": "Hello <script>alert(1)</script> world",
    "script-split-tag": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-html-block": "<div>\n<script>alert(1)</script>\n</div>",
    "script-breaking-fenced-code": "```\n</code></pre><script>alert(1)</script>\n```",
    "script-breaking-code-span": "`</code><script>alert(1)</script>`",
    "script-in-table-cell": "| a |\n|---|\n| <script>alert(1)</script> |",
    "script-in-admonition-title": '!!! note "<script>alert(1)</script>"\n    body',
    "script-in-heading": "# <script>alert(1)</script>",
    "script-in-list-item": "- one\n- <script>alert(1)</script>",
    "script-in-blockquote": "> <script>alert(1)</script>",
    "script-entity-encoded": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "script-fullwidth-brackets": "＜script＞alert(1)＜/script＞",
}

EVENT_HANDLERS = {
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-slashes": "<img/src=x/onerror=alert(1)>",
    "img-onerror-in-html-block": "<div>\n<img src=x onerror=alert(1)>\n</div>",
    "body-onload": "<body onload=alert(1)>",
    "div-onmouseover": '<div onmouseover="alert(1)">hover me</div>',
    "input-autofocus-onfocus": "<input autofocus onfocus=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "video-source-onerror": "<video><source onerror=alert(1)></video>",
    "a-onclick-inline": 'Click <a href="/nl" onclick="alert(1)">here</a>',
}

JAVASCRIPT_URLS = {
    "a-href-javascript": '<a href="javascript:alert(1)">x</a>',
    "a-href-mixed-case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "a-href-decimal-entity": '<a href="&#106;avascript:alert(1)">x</a>',
    "a-href-hex-entities": '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    "a-href-tab-in-scheme": '<a href="java\tscript:alert(1)">x</a>',
    "a-href-newline-in-scheme": '<a href="java\nscript:alert(1)">x</a>',
    "a-href-nul-in-scheme": '<a href="java\0script:alert(1)">x</a>',
    "a-href-data-html": f'<a href="data:text/html;base64,{_SCRIPT_B64}">x</a>',
    "a-href-vbscript": '<a href="vbscript:msgbox(1)">x</a>',
}

MARKDOWN_URLS = {
    "md-link-javascript": "[x](javascript:alert(1))",
    "md-link-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "md-link-decimal-entity": "[x](&#106;avascript:alert(1))",
    "md-link-hex-entity-colon": "[x](javascript&#x3A;alert(1))",
    "md-link-named-entity-colon": "[x](javascript&colon;alert(1))",
    "md-link-double-encoded": "[x](&amp;#106;avascript:alert(1))",
    "md-link-tab-in-scheme": "[x](java\tscript:alert(1))",
    "md-link-angle-newline-in-scheme": "[x](<java\nscript:alert(1)>)",
    "md-link-nul-in-scheme": "[x](java\0script:alert(1))",
    "md-link-control-char-prefix": "[x](\x01javascript:alert(1))",
    "md-link-bom-prefix": "[x](\ufeffjavascript:alert(1))",
    "md-link-vbscript": "[x](vbscript:msgbox(1))",
    "md-link-data": f"[x](data:text/html;base64,{_SCRIPT_B64})",
    "md-link-percent-encoded-colon": "[x](javascript%3Aalert(1))",
    "md-image-javascript": "![x](javascript:alert(1))",
    "md-image-data-html": "![x](data:text/html,<script>alert(1)</script>)",
    "md-image-data-svg": f"![x](data:image/svg+xml;base64,{_SVG_ONLOAD_B64})",
    "md-image-vbscript-mixed-case": "![x](VbScRiPt:msgbox(1))",
    "md-reference-link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "md-reference-link-entity": '[x][e]\n\n[e]: &#x6A;avascript:alert(1) "title"',
    "md-reference-image-data": "![x][evil]\n\n[evil]: data:text/html,<script>alert(1)</script>",
    "md-short-reference": "[evil]\n\n[evil]: javascript:alert(1)",
    "md-autolink-javascript": "<javascript:alert(1)>",
    "md-autolink-data": "<data:text/html,<script>alert(1)</script>>",
    "md-autolink-vbscript": "<vbscript:msgbox(1)>",
    "md-autolink-quote-break": '<https://example.org/" onmouseover="alert(1)>',
    "md-link-text-with-img": "[<img src=x onerror=alert(1)>](https://example.org)",
    "md-link-href-quote-break": '[x](https://example.org/"onmouseover="alert(1))',
    "md-link-title-double-quote-break": '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "md-link-title-single-quote-break": "[x](/nl 'a\\' onmouseover=alert(1) x=\\'')",
    "md-image-alt-quote-break": '![a" onerror="alert(1)](/media/x.png)',
    "md-image-title-quote-break": '![a](/media/x.png "b\\" onerror=\\"alert(1)")',
}

SVG_AND_MATHML = {
    "svg-onload": "<svg onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-animate-href": (
        "<svg><a><animate attributeName=href values=javascript:alert(1) />"
        "<text x=20 y=20>click</text></a></svg>"
    ),
    "svg-use-data-url": f'<svg><use href="data:image/svg+xml;base64,{_SVG_ONLOAD_B64}#x" /></svg>',
    "svg-foreign-object": "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    "svg-cdata": "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    "math-xlink-href": (
        '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>'
    ),
    "math-mi-xlink-data": '<math><mi xlink:href="data:x,<script>alert(1)</script>">x</mi></math>',
}

OTHER_TAGS = {
    "iframe-javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "object-data": '<object data="javascript:alert(1)"></object>',
    "embed-svg": f'<embed src="data:image/svg+xml;base64,{_SVG_ONLOAD_B64}">',
    "base-href": '<base href="https://evil.example/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "form-action": '<form action="https://evil.example"><button>Go</button></form>',
    "button-formaction": '<button formaction="javascript:alert(1)">x</button>',
    "style-tag": "<style>body{background:url(javascript:alert(1))}</style>",
    "style-import": "<style>@import 'https://evil.example/x.css';</style>",
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "style-attr-expression": '<div style="width: expression(alert(1))">x</div>',
    "style-attr-url": "<p style=\"background:url('javascript:alert(1)')\">x</p>",
    "style-attr-behavior": '<span style="behavior:url(x.htc)">x</span>',
}

MUTATION_XSS = {
    "mxss-noscript-title": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "mxss-svg-style": "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "mxss-comment-short-close": "<!--><img src=x onerror=alert(1)>-->",
    "mxss-comment-bang": "<!--!><img src=x onerror=alert(1)>-->",
    "mxss-conditional-comment": "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "mxss-mglyph-style": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "mxss-namespace-confusion": (
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>"
    ),
    "mxss-textarea-title": '<textarea><img title="</textarea><img src=x onerror=alert(1)>">',
    "mxss-title-element": '<title><img title="</title><img src=x onerror=alert(1)>">',
    "mxss-xmp": '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    "mxss-template": "<template><img src=x onerror=alert(1)></template>",
    "mxss-markdown-attribute": '<div markdown="1">\n[x](javascript:alert(1))\n</div>',
    "mxss-stash-placeholder": "\x02wzxhzdk:0\x03 `<img src=x onerror=alert(1)>`",
}

MARKDOWN_EXTENSIONS = {
    "admonition-type-quote-break": '!!! note" onclick="alert(1)\n    x',
    "admonition-handler-in-type": '!!! warning onmouseover=alert(1) evil "t"\n    x',
    "admonition-foreign-classes": '!!! warning evil toc hidden "t"\n    x',
    "admonition-title-quote-break": '!!! note "a\\" onclick=\\"alert(1)"\n    x',
    "fenced-code-attributes": "```{ #x .y onclick=alert(1) }\ncode\n```",
    "fenced-code-language-break": '```"><script>alert(1)</script>\ncode\n```',
    "attr-list-syntax": "# Title {: onclick=alert(1) style=color:red #main }",
    "heading-quote-break": '# x" onmouseover="alert(1)',
    "heading-javascript": "# javascript:alert(1)",
}

TEMPLATE_INJECTION = {
    "jinja-expression": "{{ 7*7 }}",
    "jinja-config": "{{ config.items() }}",
    "jinja-statement": "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "jinja-in-link": "[{{ 7*7 }}](/nl/{{ 7*7 }})",
}

DOM_CLOBBERING = {
    "heading-constructor": "# constructor",
    "heading-proto": "# __proto__",
    "heading-proto-escaped": "# \\_\\_proto\\_\\_",
    "heading-frame-id-main": "# main",
    "heading-already-prefixed": "# h-main",
}

#: Every payload by a readable test id.
PAYLOADS: dict[str, str] = {
    **SCRIPT_TAGS,
    **EVENT_HANDLERS,
    **JAVASCRIPT_URLS,
    **MARKDOWN_URLS,
    **SVG_AND_MATHML,
    **OTHER_TAGS,
    **MUTATION_XSS,
    **MARKDOWN_EXTENSIONS,
    **TEMPLATE_INJECTION,
    **DOM_CLOBBERING,
}
