"""Where the programme runs: Shanxi's poverty-alleviation counties with their GB/T 2260 codes.

Shanxi's 金融富民扶贫工程 covered the province's poor counties (DOMAIN.md §1); each county puts a risk-compensation
fund at a partner bank, so the ledger opens one fund per county listed here and the synthetic registry places its
households in them. Codes are the current GB/T 2260 codes (大同县 became 云州区, 140215, in 2018). The list holds the
57 counties we can name with certainty; no code is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCES: dict[str, str] = {"14": "山西省 Shanxi"}


@dataclass(frozen=True, slots=True)
class County:
    """One county (县/区): its 6-digit GB/T 2260 code, Chinese and English names and its prefecture (市)."""

    code: str
    name_zh: str
    name_en: str
    prefecture_zh: str
    province_code: str = "14"


def _counties(prefecture_zh: str, rows: str) -> tuple[County, ...]:
    """Parse ``code 中文名 English name`` lines (one county each) for one prefecture."""
    counties = []
    for line in rows.strip().splitlines():
        code, name_zh, name_en = line.split(maxsplit=2)
        counties.append(County(code, name_zh, name_en, prefecture_zh))
    return tuple(counties)


SHANXI_POVERTY_COUNTIES: tuple[County, ...] = (
    *_counties("太原市", "140122 阳曲县 Yangqu County\n140123 娄烦县 Loufan County"),
    *_counties(
        "大同市",
        """
        140215 云州区 Yunzhou District
        140221 阳高县 Yanggao County
        140222 天镇县 Tianzhen County
        140223 广灵县 Guangling County
        140224 灵丘县 Lingqiu County
        140225 浑源县 Hunyuan County
        140226 左云县 Zuoyun County
        """,
    ),
    *_counties("阳泉市", "140322 盂县 Yu County"),
    *_counties(
        "长治市",
        """
        140425 平顺县 Pingshun County
        140426 黎城县 Licheng County
        140427 壶关县 Huguan County
        140429 武乡县 Wuxiang County
        140430 沁县 Qin County
        140431 沁源县 Qinyuan County
        """,
    ),
    *_counties("晋城市", "140524 陵川县 Lingchuan County"),
    *_counties("朔州市", "140621 山阴县 Shanyin County\n140622 应县 Ying County\n140623 右玉县 Youyu County"),
    *_counties(
        "晋中市",
        """
        140721 榆社县 Yushe County
        140722 左权县 Zuoquan County
        140723 和顺县 Heshun County
        140724 昔阳县 Xiyang County
        140725 寿阳县 Shouyang County
        """,
    ),
    *_counties("运城市", "140827 垣曲县 Yuanqu County\n140828 夏县 Xia County\n140829 平陆县 Pinglu County"),
    *_counties(
        "忻州市",
        """
        140922 五台县 Wutai County
        140923 代县 Dai County
        140924 繁峙县 Fanshi County
        140925 宁武县 Ningwu County
        140926 静乐县 Jingle County
        140927 神池县 Shenchi County
        140928 五寨县 Wuzhai County
        140929 岢岚县 Kelan County
        140930 河曲县 Hequ County
        140931 保德县 Baode County
        140932 偏关县 Pianguan County
        """,
    ),
    *_counties(
        "临汾市",
        """
        141025 古县 Gu County
        141026 安泽县 Anze County
        141027 浮山县 Fushan County
        141028 吉县 Ji County
        141029 乡宁县 Xiangning County
        141030 大宁县 Daning County
        141031 隰县 Xi County
        141032 永和县 Yonghe County
        141033 蒲县 Pu County
        141034 汾西县 Fenxi County
        """,
    ),
    *_counties(
        "吕梁市",
        """
        141123 兴县 Xing County
        141124 临县 Lin County
        141125 柳林县 Liulin County
        141126 石楼县 Shilou County
        141127 岚县 Lan County
        141128 方山县 Fangshan County
        141129 中阳县 Zhongyang County
        141130 交口县 Jiaokou County
        """,
    ),
)

_BY_CODE: dict[str, County] = {county.code: county for county in SHANXI_POVERTY_COUNTIES}


def county_by_code(code: str) -> County:
    """The county with this GB/T 2260 code; ``KeyError`` naming the code when it is not a programme county."""
    try:
        return _BY_CODE[str(code).strip()]
    except KeyError:
        raise KeyError(f"{code!r} is not a poverty-alleviation county code / 不是扶贫县代码") from None
