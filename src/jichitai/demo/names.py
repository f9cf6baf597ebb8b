"""Names for the demo register, each written with its reading (フリガナ).

A register keeps a name glyph for glyph together with its katakana reading, so a reading must
belong to its kanji: 髙橋 is タカハシ, 山﨑 ヤマサキ (not ヤマザキ). Faker's ``ja_JP`` draws the two
independently (stack.md §8), hence these hand-made lists. Rare and variant characters are here on
purpose (髙, 𠮷, 﨑, 邉, 邊, 齋, 濵, 𡈽 …): they are what a real register has to cope with, and the
demo should exercise them. 𠮷 and 𡈽 lie outside the BMP (CJK Extension B); 﨑 is a
compatibility ideograph (U+FA11) that NFC would turn into 崎, which is why nothing normalises names.

Given names carry the generation they are typical of (``OLD`` born before 1960, ``MID`` 1960–1994,
``NEW`` from 1995), so a 90-year-old is not called 陽翔.

Foreign residents' names follow the residence card: Roman letters, family name first, upper case;
Chinese and Korean residents often also have a kanji name. Readings are the usual katakana
transcriptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "COMMON_FAMILY_NAMES",
    "FAMILY_NAMES",
    "FEMALE_GIVEN_NAMES",
    "FOREIGN_NATIONALITIES",
    "MALE_GIVEN_NAMES",
    "MID",
    "NEW",
    "OLD",
    "PERIODS_OF_STAY",
    "RARE_FAMILY_NAMES",
    "SPECIAL_PERMANENT_NATIONALITY",
    "ForeignNamePart",
    "GivenName",
    "NameReading",
    "Nationality",
    "generation_of",
    "nationality_named",
]

OLD: Final = "old"
MID: Final = "mid"
NEW: Final = "new"


def generation_of(birth_year: int) -> str:
    """The naming generation of someone born in ``birth_year``."""
    if birth_year < 1960:
        return OLD
    if birth_year < 1995:
        return MID
    return NEW


@dataclass(frozen=True, slots=True)
class NameReading:
    """A family name and its katakana reading."""

    kanji: str
    kana: str


@dataclass(frozen=True, slots=True)
class GivenName:
    """A given name, its reading and the generation it is typical of."""

    kanji: str
    kana: str
    generation: str


def _pairs(table: str) -> tuple[NameReading, ...]:
    out = []
    for line in table.split():
        kanji, _, kana = line.partition(":")
        out.append(NameReading(kanji, kana))
    return tuple(out)


def _given(table: str) -> tuple[GivenName, ...]:
    out = []
    for generation, rows in (part.split("|") for part in table.strip().split("\n\n")):
        for line in rows.split():
            kanji, _, kana = line.partition(":")
            out.append(GivenName(kanji, kana, generation.strip()))
    return tuple(out)


# Roughly in order of frequency (the generator weights earlier names more).
COMMON_FAMILY_NAMES: Final[tuple[NameReading, ...]] = _pairs(
    """
    佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 田中:タナカ 伊藤:イトウ 渡辺:ワタナベ 山本:ヤマモト
    中村:ナカムラ 小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山田:ヤマダ 佐々木:ササキ 山口:ヤマグチ
    松本:マツモト 井上:イノウエ 木村:キムラ 林:ハヤシ 斎藤:サイトウ 清水:シミズ 山崎:ヤマザキ
    森:モリ 池田:イケダ 橋本:ハシモト 阿部:アベ 石川:イシカワ 山下:ヤマシタ 中島:ナカジマ
    石井:イシイ 小川:オガワ 前田:マエダ 岡田:オカダ 長谷川:ハセガワ 藤田:フジタ 後藤:ゴトウ
    近藤:コンドウ 村上:ムラカミ 遠藤:エンドウ 青木:アオキ 坂本:サカモト 斉藤:サイトウ 福田:フクダ
    太田:オオタ 西村:ニシムラ 藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ 中野:ナカノ
    三浦:ミウラ 原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ 田村:タムラ
    中山:ナカヤマ 和田:ワダ 石田:イシダ 森田:モリタ 上田:ウエダ 原:ハラ 内田:ウチダ 柴田:シバタ
    酒井:サカイ 宮崎:ミヤザキ 横山:ヨコヤマ 高木:タカギ 安藤:アンドウ 宮本:ミヤモト 大野:オオノ
    小島:コジマ 谷口:タニグチ 今井:イマイ 工藤:クドウ 高田:タカダ 増田:マスダ 丸山:マルヤマ
    杉山:スギヤマ 村田:ムラタ 大塚:オオツカ 小山:コヤマ 藤本:フジモト 平野:ヒラノ 新井:アライ
    河野:コウノ 上野:ウエノ 野口:ノグチ 武田:タケダ 松井:マツイ 千葉:チバ 岩崎:イワサキ
    菅原:スガワラ 木下:キノシタ 久保:クボ 佐野:サノ 野村:ノムラ 松尾:マツオ 市川:イチカワ
    菊地:キクチ 杉本:スギモト 古川:フルカワ 大西:オオニシ 島田:シマダ 水野:ミズノ 桜井:サクライ
    高野:タカノ 渡部:ワタナベ 吉川:ヨシカワ 山内:ヤマウチ 西田:ニシダ 飯田:イイダ 菊池:キクチ
    西川:ニシカワ 小松:コマツ 北村:キタムラ 安田:ヤスダ 五十嵐:イガラシ 川口:カワグチ 平田:ヒラタ
    関:セキ 中田:ナカタ 久保田:クボタ 服部:ハットリ 東:アズマ 岩田:イワタ 土屋:ツチヤ
    川崎:カワサキ 福島:フクシマ 本田:ホンダ 辻:ツジ 樋口:ヒグチ 秋山:アキヤマ 田口:タグチ
    永井:ナガイ 山中:ヤマナカ 中西:ナカニシ 吉村:ヨシムラ 川上:カワカミ 大橋:オオハシ 石原:イシハラ
    松岡:マツオカ 浜田:ハマダ 馬場:ババ 森本:モリモト 矢野:ヤノ 浅野:アサノ 松下:マツシタ
    星野:ホシノ 大久保:オオクボ 吉岡:ヨシオカ 小池:コイケ 野田:ノダ 荒木:アラキ 大谷:オオタニ
    内藤:ナイトウ 松浦:マツウラ 熊谷:クマガイ 黒田:クロダ 尾崎:オザキ 永田:ナガタ 川村:カワムラ
    望月:モチヅキ 田辺:タナベ 松村:マツムラ 荒井:アライ 堀:ホリ 大島:オオシマ 平井:ヒライ
    早川:ハヤカワ 菅野:カンノ 栗原:クリハラ 西山:ニシヤマ 広瀬:ヒロセ 横田:ヨコタ 石橋:イシバシ
    萩原:ハギワラ 岩本:イワモト 片山:カタヤマ 関口:セキグチ 宮田:ミヤタ 大石:オオイシ 本間:ホンマ
    須藤:スドウ 高山:タカヤマ 岡崎:オカザキ 小田:オダ 吉野:ヨシノ 鎌田:カマタ 上原:ウエハラ
    篠原:シノハラ 小西:コニシ 松原:マツバラ 福井:フクイ 古田:フルタ 大森:オオモリ 東海林:ショウジ
    小鳥遊:タカナシ 四月一日:ワタヌキ 一:ニノマエ
    """
)

# Variant and rare characters, on purpose. Each reading is the one the family register gives.
RARE_FAMILY_NAMES: Final[tuple[NameReading, ...]] = _pairs(
    """
    髙橋:タカハシ 𠮷田:ヨシダ 山﨑:ヤマサキ 渡邉:ワタナベ 渡邊:ワタナベ 齋藤:サイトウ 濵田:ハマダ
    𡈽屋:ツチヤ 澤田:サワダ 廣瀬:ヒロセ 齊藤:サイトウ 髙木:タカギ 𠮷川:ヨシカワ 﨑山:サキヤマ
    髙田:タカダ 櫻井:サクライ 嶋田:シマダ 德永:トクナガ 濱口:ハマグチ 栁田:ヤナギダ 國分:コクブ
    眞鍋:マナベ 邉見:ヘンミ 槇:マキ
    """
)

FAMILY_NAMES: Final[tuple[NameReading, ...]] = COMMON_FAMILY_NAMES + RARE_FAMILY_NAMES

MALE_GIVEN_NAMES: Final[tuple[GivenName, ...]] = _given(
    """
    old |
    清:キヨシ 茂:シゲル 勇:イサム 実:ミノル 正男:マサオ 和夫:カズオ 幸雄:ユキオ 昭:アキラ
    進:ススム 修:オサム 豊:ユタカ 武:タケシ 稔:ミノル 博:ヒロシ 三郎:サブロウ 次郎:ジロウ
    四郎:シロウ 勝:マサル 弘:ヒロシ 忠:タダシ 孝:タカシ 敏夫:トシオ 利夫:トシオ 光男:ミツオ
    義雄:ヨシオ 正:タダシ 貞夫:サダオ 秀夫:ヒデオ 榮一:エイイチ 德治:トクジ

    mid |
    太郎:タロウ 一郎:イチロウ 大輔:ダイスケ 拓也:タクヤ 直樹:ナオキ 浩二:コウジ 誠:マコト
    隆:タカシ 明:アキラ 健一:ケンイチ 誠一:セイイチ 浩:ヒロシ 哲也:テツヤ 和也:カズヤ 達也:タツヤ
    秀樹:ヒデキ 剛:ツヨシ 聡:サトシ 学:マナブ 亮:リョウ 智也:トモヤ 康介:コウスケ 俊介:シュンスケ
    健二:ケンジ 信也:シンヤ 雅人:マサト 正樹:マサキ 淳:ジュン 純一:ジュンイチ 英樹:ヒデキ
    昌弘:マサヒロ 裕太:ユウタ 涼介:リョウスケ 圭介:ケイスケ 慎吾:シンゴ 祐介:ユウスケ 健司:ケンジ
    克也:カツヤ 秀明:ヒデアキ 伸二:シンジ 敦:アツシ 徹:トオル 晃:アキラ 髙志:タカシ

    new |
    健太:ケンタ 翔太:ショウタ 大樹:ダイキ 雄太:ユウタ 翔:ショウ 蓮:レン 陽翔:ハルト 湊:ミナト
    蒼:アオイ 樹:イツキ 悠真:ユウマ 大和:ヤマト 陽太:ヒナタ 悠斗:ユウト 颯太:ソウタ 拓海:タクミ
    優斗:ユウト 海斗:カイト 大翔:ヒロト 陸:リク 結翔:ユイト 悠人:ユウト 航:ワタル 遼:リョウ
    颯:ハヤテ 碧:アオイ 朝陽:アサヒ 律:リツ 奏太:ソウタ 駿:シュン 蒼空:ソラ 湊斗:ミナト
    """
)

FEMALE_GIVEN_NAMES: Final[tuple[GivenName, ...]] = _given(
    """
    old |
    花子:ハナコ 幸子:サチコ 節子:セツコ 和子:カズコ 洋子:ヨウコ 恵子:ケイコ 京子:キョウコ
    美智子:ミチコ 悦子:エツコ 弘子:ヒロコ 文子:フミコ 千代:チヨ 静江:シズエ 秋子:アキコ
    敏子:トシコ キヨ:キヨ ハル:ハル 正子:マサコ 房子:フサコ 芳子:ヨシコ 良子:ヨシコ 登美子:トミコ
    喜代子:キヨコ 光子:ミツコ 栄子:エイコ 康子:ヤスコ 惠子:ケイコ 久子:ヒサコ 君子:キミコ
    トメ:トメ

    mid |
    久美子:クミコ 順子:ジュンコ 陽子:ヨウコ 明美:アケミ 由美子:ユミコ 真由美:マユミ 裕子:ユウコ
    智子:トモコ 直美:ナオミ 恵美:エミ 香織:カオリ 美穂:ミホ 愛:アイ 麻衣:マイ 舞:マイ 友美:トモミ
    亜希子:アキコ 美香:ミカ 由紀:ユキ 真理子:マリコ 理恵:リエ 紀子:ノリコ 典子:ノリコ 聡子:サトコ
    美紀:ミキ 沙織:サオリ 綾:アヤ 瞳:ヒトミ 優子:ユウコ 恵理:エリ 早苗:サナエ 律子:リツコ
    和美:カズミ 加奈子:カナコ 奈緒子:ナオコ 亜美:アミ 眞由美:マユミ 千尋:チヒロ

    new |
    彩香:アヤカ 美咲:ミサキ 葵:アオイ 陽菜:ヒナ 結衣:ユイ さくら:サクラ 凛:リン 結菜:ユイナ
    芽依:メイ 莉子:リコ 紬:ツムギ 陽葵:ヒマリ 澪:ミオ 心春:コハル 杏:アン 咲良:サクラ 美結:ミユ
    花音:カノン 詩:ウタ 琴音:コトネ 彩花:アヤカ 七海:ナナミ 遥:ハルカ 美月:ミヅキ 奈々:ナナ
    真央:マオ 未来:ミライ 彩:アヤ 結子:ユイコ 芽衣:メイ
    """
)


# --- foreign residents -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForeignNamePart:
    """One part of a foreign name: Roman letters as on the residence card, the katakana
    reading, and the kanji form where the resident has one."""

    roman: str
    kana: str
    kanji: str = ""


@dataclass(frozen=True, slots=True)
class Nationality:
    """A nationality with names and the residence statuses (with weights) its residents hold."""

    name: str
    family_names: tuple[ForeignNamePart, ...]
    male_given: tuple[ForeignNamePart, ...]
    female_given: tuple[ForeignNamePart, ...]
    statuses: tuple[tuple[str, int], ...]
    cities: tuple[str, ...]
    """Addresses in the home country (国外住所), for arrivals from and departures to it."""


def _parts(table: str) -> tuple[ForeignNamePart, ...]:
    """Rows "ROMAN/カナ" or "ROMAN/カナ/漢字", separated by commas (Roman names contain spaces)."""
    out = []
    for row in table.split(","):
        fields = [f.strip() for f in row.strip().split("/")]
        if fields == [""]:
            continue
        roman, kana, *rest = fields
        out.append(ForeignNamePart(roman, kana, rest[0] if rest else ""))
    return tuple(out)


PERIODS_OF_STAY: Final[dict[str, str]] = {
    "永住者": "",
    "特別永住者": "",
    "技術・人文知識・国際業務": "5年",
    "技能実習": "1年",
    "留学": "2年3月",
    "家族滞在": "3年",
    "特定技能": "1年",
    "日本人の配偶者等": "3年",
    "定住者": "5年",
    "技能": "3年",
    "経営・管理": "5年",
    "高度専門職": "5年",
}
"""The residence statuses used and a typical 在留期間 (none for permanent residents)."""

SPECIAL_PERMANENT_NATIONALITY: Final = "韓国"

FOREIGN_NATIONALITIES: Final[tuple[Nationality, ...]] = (
    Nationality(
        "中国",
        _parts(
            "WANG/ワン/王, LI/リー/李, ZHANG/チャン/張, LIU/リウ/劉, CHEN/チェン/陳, "
            "YANG/ヤン/楊, ZHAO/ジャオ/趙, HUANG/ホアン/黄, ZHOU/ジョウ/周, WU/ウー/呉"
        ),
        _parts(
            "WEI/ウェイ/偉, YONG/ヨン/勇, JIE/ジエ/傑, LEI/レイ/磊, HAO/ハオ/浩, "
            "JUN/ジュン/軍, MING/ミン/明, TAO/タオ/涛"
        ),
        _parts(
            "NA/ナー/娜, MIN/ミン/敏, JING/ジン/静, LI/リー/麗, FANG/ファン/芳, "
            "YAN/イェン/艶, XIU YING/シウ　イン/秀英, HUI/ホイ/慧"
        ),
        (
            ("永住者", 4),
            ("技術・人文知識・国際業務", 4),
            ("留学", 3),
            ("家族滞在", 2),
            ("経営・管理", 1),
            ("高度専門職", 1),
        ),
        ("北京市朝陽区建国路88号", "上海市浦東新区世紀大道100号", "大連市中山区人民路15号"),
    ),
    Nationality(
        "韓国",
        _parts(
            "KIM/キム/金, LEE/イ/李, PARK/パク/朴, CHOI/チェ/崔, JUNG/チョン/鄭, "
            "KANG/カン/姜, CHO/チョ/趙, YOON/ユン/尹"
        ),
        _parts(
            "MINJUN/ミンジュン/民俊, JIHOON/ジフン/志勲, HYUNWOO/ヒョンウ/賢佑, "
            "SEONGHO/ソンホ/成浩, YOUNGSOO/ヨンス/英洙, DONGHYUN/ドンヒョン/東賢"
        ),
        _parts(
            "SEOYEON/ソヨン/瑞妍, EUNJI/ウンジ/恩智, SUBIN/スビン/秀彬, "
            "MINJI/ミンジ/敏智, YOUNGHEE/ヨンヒ/英姫, JIYOUNG/ジヨン/智英"
        ),
        (("永住者", 3), ("技術・人文知識・国際業務", 3), ("留学", 2), ("家族滞在", 1)),
        ("ソウル特別市江南区テヘラン路152", "釜山広域市海雲台区中洞1394"),
    ),
    Nationality(
        "ベトナム",
        _parts(
            "NGUYEN/グエン, TRAN/チャン, LE/レ, PHAM/ファム, HOANG/ホアン, VU/ヴー, "
            "DANG/ダン, BUI/ブイ"
        ),
        _parts(
            "VAN AN/ヴァン　アン, VAN HUNG/ヴァン　フン, VAN NAM/ヴァン　ナム, "
            "DUC MINH/ドゥク　ミン, QUANG HUY/クアン　フイ, THANH TUNG/タン　トゥン"
        ),
        _parts(
            "THI HOA/ティ　ホア, THI LAN/ティ　ラン, THI MAI/ティ　マイ, "
            "THI HUONG/ティ　フオン, NGOC ANH/ゴック　アイン, THU TRANG/トゥ　チャン"
        ),
        (("技能実習", 5), ("特定技能", 3), ("留学", 3), ("技術・人文知識・国際業務", 2)),
        ("ハノイ市ホアンキエム区", "ホーチミン市1区", "ダナン市ハイチャウ区"),
    ),
    Nationality(
        "フィリピン",
        _parts(
            "SANTOS/サントス, REYES/レイエス, CRUZ/クルス, GARCIA/ガルシア, BAUTISTA/バウティスタ"
        ),
        _parts("JOSE/ホセ, MARK/マーク, JOHN PAUL/ジョン　ポール, RAMON/ラモン"),
        _parts(
            "MARIA CRISTINA/マリア　クリスティーナ, ANNA/アンナ, MARICEL/マリセル, "
            "JOY/ジョイ, ROSALIE/ロザリー"
        ),
        (("永住者", 3), ("日本人の配偶者等", 3), ("定住者", 2), ("特定技能", 1)),
        ("マニラ首都圏マカティ市", "セブ州セブ市"),
    ),
    Nationality(
        "ブラジル",
        _parts(
            "SILVA/シルバ, OLIVEIRA/オリベイラ, SOUZA/ソウザ, SANTOS/サントス, PEREIRA/ペレイラ"
        ),
        _parts("JOAO PEDRO/ジョアン　ペドロ, LUCAS/ルーカス, RAFAEL/ハファエル, MATEUS/マテウス"),
        _parts("ANA/アナ, GABRIELA/ガブリエラ, JULIANA/ジュリアナ, FERNANDA/フェルナンダ"),
        (("永住者", 4), ("定住者", 3), ("日本人の配偶者等", 1)),
        ("サンパウロ州サンパウロ市", "パラナ州ロンドリーナ市"),
    ),
    Nationality(
        "ネパール",
        _parts("GURUNG/グルン, SHRESTHA/シュレスタ, TAMANG/タマン, RAI/ライ, THAPA/タパ"),
        _parts("RAM/ラム, BIKASH/ビカス, SURESH/スレス, ANIL/アニル"),
        _parts("SITA/シタ, ANITA/アニタ, SARITA/サリタ, GITA/ギタ"),
        (("留学", 4), ("技能", 3), ("家族滞在", 2)),
        ("バグマティ州カトマンズ", "ガンダキ州ポカラ"),
    ),
    Nationality(
        "インドネシア",
        _parts("SETIAWAN/セティアワン, WIJAYA/ウィジャヤ, SANTOSO/サントソ, HIDAYAT/ヒダヤット"),
        _parts("BUDI/ブディ, AGUS/アグス, RIZKY/リズキ, DIMAS/ディマス"),
        _parts("DEWI/デウィ, AYU/アユ, SITI/シティ, PUTRI/プトゥリ"),
        (("技能実習", 4), ("特定技能", 3), ("留学", 1)),
        ("ジャカルタ特別州南ジャカルタ市", "西ジャワ州バンドン市"),
    ),
    Nationality(
        "米国",
        _parts("SMITH/スミス, JOHNSON/ジョンソン, BROWN/ブラウン, MILLER/ミラー, DAVIS/デイビス"),
        _parts("JOHN/ジョン, MICHAEL/マイケル, DAVID/デイビッド, JAMES/ジェームズ"),
        _parts("EMILY/エミリー, SARAH/サラ, JESSICA/ジェシカ, ELIZABETH/エリザベス"),
        (("技術・人文知識・国際業務", 4), ("永住者", 2), ("日本人の配偶者等", 2)),
        ("ニューヨーク州ニューヨーク市", "カリフォルニア州ロサンゼルス市"),
    ),
    Nationality(
        "英国",
        _parts("TAYLOR/テイラー, WILSON/ウィルソン, EVANS/エバンズ, THOMAS/トーマス"),
        _parts("OLIVER/オリバー, GEORGE/ジョージ, HARRY/ハリー"),
        _parts("OLIVIA/オリビア, AMELIA/アメリア, CHARLOTTE/シャーロット"),
        (("技術・人文知識・国際業務", 3), ("経営・管理", 1), ("日本人の配偶者等", 1)),
        ("ロンドン", "マンチェスター"),
    ),
)
"""Nationalities with names; ``韓国`` also names the special permanent residents (特別永住者)."""


def nationality_named(name: str) -> Nationality:
    """The nationality called ``name`` (the first of :data:`FOREIGN_NATIONALITIES` if none is)."""
    return next((x for x in FOREIGN_NATIONALITIES if x.name == name), FOREIGN_NATIONALITIES[0])
