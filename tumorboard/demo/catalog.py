"""Clinical material for the demo program: people, series and typical tumors per series.

Every name here is invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from tumorboard.vocab import Modality, Role, SiteGroup, Specialty

DEMO_PASSWORD = "tumorboard-demo"
DEMO_EMAIL_DOMAIN = "riverside.example.org"


@dataclass(frozen=True)
class DemoUser:
    """A demo login."""

    username: str
    full_name: str
    credentials: str
    specialty: Specialty
    roles: tuple[Role, ...] = (Role.PHYSICIAN,)


STAFF = (
    DemoUser("admin", "Alex Morgan", "", Specialty.OTHER, (Role.ADMIN,)),
    DemoUser("coordinator", "Dana Whitfield", "RN, CTR", Specialty.NURSING, (Role.COORDINATOR,)),
    DemoUser("navigator", "Priya Shah", "RN, OCN", Specialty.NURSING, (Role.NAVIGATOR,)),
    DemoUser("navigator2", "Tom Becker", "MSW", Specialty.SOCIAL_WORK, (Role.NAVIGATOR,)),
    DemoUser("auditor", "Grace Lin", "CTR", Specialty.OTHER, (Role.AUDITOR,)),
)

PHYSICIANS = (
    DemoUser("evasquez", "Elena Vasquez", "MD, FACS", Specialty.SURGERY),
    DemoUser("jokafor", "James Okafor", "MD", Specialty.SURGERY),
    DemoUser("mcohen", "Miriam Cohen", "MD, FACS", Specialty.SURGERY),
    DemoUser("rmehta", "Rahul Mehta", "MD", Specialty.SURGERY),
    DemoUser("skim", "Sarah Kim", "MD", Specialty.MEDICAL_ONCOLOGY),
    DemoUser("dnovak", "David Novak", "MD, PhD", Specialty.MEDICAL_ONCOLOGY),
    DemoUser("lbianchi", "Laura Bianchi", "MD", Specialty.MEDICAL_ONCOLOGY),
    DemoUser("madeyemi", "Michael Adeyemi", "MD", Specialty.MEDICAL_ONCOLOGY),
    DemoUser("hfischer", "Hannah Fischer", "MD", Specialty.RADIATION_ONCOLOGY),
    DemoUser("cmendes", "Carlos Mendes", "MD", Specialty.RADIATION_ONCOLOGY),
    DemoUser("ytanaka", "Yuki Tanaka", "MD, PhD", Specialty.RADIATION_ONCOLOGY),
    DemoUser("plindqvist", "Peter Lindqvist", "MD", Specialty.DIAGNOSTIC_RADIOLOGY),
    DemoUser("anwosu", "Amara Nwosu", "MD", Specialty.DIAGNOSTIC_RADIOLOGY),
    DemoUser("rhayes", "Robert Hayes", "MD", Specialty.PATHOLOGY),
    DemoUser("isorensen", "Ingrid Sorensen", "MD", Specialty.PATHOLOGY),
    DemoUser("sbrooks", "Samuel Brooks", "MD", Specialty.UROLOGY),
    DemoUser("nhaddad", "Nadia Haddad", "MD", Specialty.UROLOGY),
    DemoUser("oprice", "Owen Price", "MD", Specialty.GASTROENTEROLOGY),
    DemoUser("frahman", "Fatima Rahman", "MD", Specialty.PULMONOLOGY),
    DemoUser("cdubois", "Claire Dubois", "MD, MS", Specialty.GENETICS),
    DemoUser("mreid", "Marcus Reid", "MD", Specialty.PALLIATIVE_CARE),
)


@dataclass(frozen=True)
class Tumor:
    """A typical tumor a series discusses, with its staging and the board's usual answer."""

    site_group: SiteGroup
    primary_site: str
    histology: str
    paired_organ: bool
    stages: tuple[tuple[str, str, str, str], ...]  # (T, N, M, stage group), AJCC 8th edition
    biomarkers: tuple[tuple[str, tuple[str, ...]], ...]
    questions: tuple[str, ...]
    plans: tuple[str, ...]


@dataclass(frozen=True)
class DemoSeries:
    """A demo conference series."""

    name: str
    site_groups: tuple[SiteGroup, ...]
    rrule: str
    start: time
    duration_minutes: int
    place: str
    slug: str
    members: tuple[str, ...]  # usernames; the first is the chair
    extra_required: tuple[Specialty, ...]
    cases_per_meeting: tuple[int, int]
    tumors: tuple[Tumor, ...]


BREAST = (
    Tumor(
        SiteGroup.BREAST,
        "C50.4",
        "Invasive ductal carcinoma",
        True,
        (
            ("cT1c", "cN0", "cM0", "IA"),
            ("cT2", "cN0", "cM0", "IIA"),
            ("cT2", "cN1", "cM0", "IIB"),
            ("cT3", "cN1", "cM0", "IIIA"),
        ),
        (
            ("ER", ("positive", "negative")),
            ("PR", ("positive", "negative")),
            ("HER2", ("0", "1+", "2+ FISH negative", "3+")),
            ("Ki-67", ("8%", "20%", "35%")),
        ),
        (
            "Neoadjuvant systemic therapy before surgery?",
            "Is breast-conserving surgery appropriate?",
            "Adjuvant radiation after lumpectomy with a close margin?",
        ),
        (
            "Neoadjuvant chemotherapy with HER2-directed therapy, then surgery and adjuvant radiation",
            "Lumpectomy with sentinel node biopsy, then whole-breast radiation and endocrine therapy",
            "Mastectomy with reconstruction, then endocrine therapy; genetics referral",
        ),
    ),
    Tumor(
        SiteGroup.BREAST,
        "C50.2",
        "Invasive lobular carcinoma",
        True,
        (("cT2", "cN0", "cM0", "IIA"), ("cT3", "cN0", "cM0", "IIB")),
        (("ER", ("positive",)), ("PR", ("positive", "negative")), ("HER2", ("0", "1+"))),
        ("MRI shows multicentric disease: mastectomy or breast conservation?",),
        ("Mastectomy with sentinel node biopsy, then adjuvant endocrine therapy",),
    ),
)

THORACIC = (
    Tumor(
        SiteGroup.THORACIC,
        "C34.1",
        "Adenocarcinoma of the lung",
        False,
        (
            ("cT1b", "cN0", "cM0", "IA2"),
            ("cT2a", "cN1", "cM0", "IIB"),
            ("cT3", "cN2", "cM0", "IIIB"),
            ("cT2b", "cN2", "cM1b", "IVA"),
        ),
        (
            ("EGFR", ("wild-type", "exon 19 deletion", "L858R")),
            ("ALK", ("negative", "rearranged")),
            ("PD-L1 TPS", ("<1%", "15%", "60%")),
        ),
        (
            "Surgical candidate after pulmonary function testing?",
            "Neoadjuvant chemo-immunotherapy before lobectomy?",
            "Definitive chemoradiation for stage III disease?",
        ),
        (
            "Lobectomy with mediastinal lymph node dissection, then adjuvant therapy per pathology",
            "Neoadjuvant chemo-immunotherapy for three cycles, then lobectomy",
            "Concurrent chemoradiation followed by consolidation durvalumab",
        ),
    ),
    Tumor(
        SiteGroup.THORACIC,
        "C34.3",
        "Squamous cell carcinoma of the lung",
        False,
        (("cT2a", "cN0", "cM0", "IB"), ("cT3", "cN1", "cM0", "IIIA")),
        (("PD-L1 TPS", ("<1%", "50%", "80%")),),
        ("SBRT or surgery for a patient with limited pulmonary reserve?",),
        (
            "Stereotactic body radiation therapy, 54 Gy in 3 fractions",
            "Lobectomy; adjuvant chemotherapy if node positive",
        ),
    ),
)

GI = (
    Tumor(
        SiteGroup.COLORECTAL,
        "C20.9",
        "Adenocarcinoma of the rectum",
        False,
        (("cT3", "cN1", "cM0", "IIIB"), ("cT2", "cN0", "cM0", "I"), ("cT4a", "cN2", "cM0", "IIIC")),
        (("MMR", ("proficient", "deficient")), ("KRAS", ("wild-type", "G12D", "G12V"))),
        (
            "Total neoadjuvant therapy before total mesorectal excision?",
            "Watch-and-wait after clinical complete response?",
        ),
        (
            "Total neoadjuvant therapy (short-course radiation, then FOLFOX), then restaging MRI and total "
            "mesorectal excision",
            "Transanal total mesorectal excision",
        ),
    ),
    Tumor(
        SiteGroup.COLORECTAL,
        "C18.7",
        "Adenocarcinoma of the sigmoid colon",
        False,
        (("cT3", "cN0", "cM0", "IIA"), ("cT3", "cN1", "cM0", "IIIB"), ("cT3", "cN1", "cM1a", "IVA")),
        (("MMR", ("proficient", "deficient")), ("KRAS", ("wild-type", "G12C"))),
        (
            "Resection of colon primary and a solitary liver metastasis?",
            "Adjuvant chemotherapy after right hemicolectomy?",
        ),
        (
            "Laparoscopic sigmoid colectomy, then adjuvant CAPOX for 3 months",
            "Systemic therapy, then staged resection of primary and liver metastasis",
        ),
    ),
    Tumor(
        SiteGroup.HEPATOBILIARY_PANCREAS,
        "C25.0",
        "Ductal adenocarcinoma of the pancreas",
        False,
        (("cT2", "cN0", "cM0", "IB"), ("cT3", "cN1", "cM0", "IIB"), ("cT4", "cN1", "cM0", "III")),
        (("CA 19-9", ("37 U/mL", "210 U/mL", "1,450 U/mL")), ("Germline BRCA2", ("negative", "pathogenic variant"))),
        ("Resectable, borderline or locally advanced?", "Neoadjuvant FOLFIRINOX before Whipple?"),
        (
            "Neoadjuvant modified FOLFIRINOX for four months, restage, then pancreaticoduodenectomy",
            "Upfront pancreaticoduodenectomy, then adjuvant chemotherapy",
        ),
    ),
    Tumor(
        SiteGroup.UPPER_GI,
        "C16.3",
        "Adenocarcinoma of the stomach",
        False,
        (("cT3", "cN1", "cM0", "III"), ("cT2", "cN0", "cM0", "I")),
        (("HER2", ("negative", "positive")), ("PD-L1 CPS", ("1", "5", "10"))),
        ("Perioperative FLOT and gastrectomy?",),
        ("Perioperative FLOT for four cycles before and after subtotal gastrectomy with D2 lymphadenectomy",),
    ),
)

GU = (
    Tumor(
        SiteGroup.PROSTATE,
        "C61.9",
        "Acinar adenocarcinoma of the prostate",
        False,
        (("cT1c", "cN0", "cM0", "I"), ("cT2b", "cN0", "cM0", "IIB"), ("cT3a", "cN0", "cM0", "IIIB")),
        (("PSA", ("5.8 ng/mL", "11.2 ng/mL", "24 ng/mL")), ("Gleason", ("3+3=6", "3+4=7", "4+3=7", "4+4=8"))),
        (
            "Active surveillance or definitive treatment?",
            "Radical prostatectomy or radiation with androgen deprivation?",
        ),
        (
            "Active surveillance with PSA every 6 months and MRI at 12 months",
            "Robotic radical prostatectomy with pelvic lymph node dissection",
            "External-beam radiation with 6 months of androgen deprivation therapy",
        ),
    ),
    Tumor(
        SiteGroup.BLADDER_KIDNEY,
        "C67.2",
        "Urothelial carcinoma of the bladder",
        False,
        (("cT2", "cN0", "cM0", "II"), ("cT3a", "cN0", "cM0", "IIIA")),
        (("FGFR3", ("no alteration", "S249C")),),
        ("Neoadjuvant cisplatin-based chemotherapy before cystectomy?",),
        (
            "Neoadjuvant dose-dense MVAC, then radical cystectomy",
            "Trimodality bladder preservation: maximal TURBT and chemoradiation",
        ),
    ),
    Tumor(
        SiteGroup.BLADDER_KIDNEY,
        "C64.9",
        "Clear cell renal cell carcinoma",
        True,
        (("cT1a", "cN0", "cM0", "I"), ("cT3a", "cN0", "cM0", "III")),
        (),
        ("Partial or radical nephrectomy?",),
        ("Robotic partial nephrectomy", "Radical nephrectomy, then adjuvant pembrolizumab"),
    ),
)

SERIES = (
    DemoSeries(
        "Breast Tumor Board",
        (SiteGroup.BREAST,),
        "FREQ=WEEKLY;BYDAY=TU",
        time(7, 0),
        60,
        "Cancer Center, Conference Room 3B",
        "breast",
        ("evasquez", "skim", "hfischer", "plindqvist", "rhayes", "cdubois", "mreid"),
        (),
        (3, 6),
        BREAST,
    ),
    DemoSeries(
        "Thoracic Tumor Board",
        (SiteGroup.THORACIC,),
        "FREQ=WEEKLY;BYDAY=WE",
        time(12, 0),
        60,
        "Pavilion B, Room 210",
        "thoracic",
        ("dnovak", "jokafor", "cmendes", "anwosu", "isorensen", "frahman", "mreid"),
        (),
        (3, 5),
        THORACIC,
    ),
    DemoSeries(
        "GI Tumor Board",
        (SiteGroup.COLORECTAL, SiteGroup.UPPER_GI, SiteGroup.HEPATOBILIARY_PANCREAS),
        "FREQ=WEEKLY;BYDAY=TH",
        time(7, 0),
        60,
        "Cancer Center, Conference Room 3B",
        "gi",
        ("mcohen", "rmehta", "lbianchi", "ytanaka", "plindqvist", "rhayes", "oprice"),
        (),
        (3, 6),
        GI,
    ),
    DemoSeries(
        "GU Tumor Board",
        (SiteGroup.PROSTATE, SiteGroup.BLADDER_KIDNEY),
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
        time(12, 0),
        60,
        "Urology Clinic, Room 4",
        "gu",
        ("sbrooks", "nhaddad", "madeyemi", "hfischer", "anwosu", "isorensen"),
        (Specialty.UROLOGY,),
        (3, 5),
        GU,
    ),
)

# What each specialty usually recommends when it speaks.
MODALITY_OF = {
    Specialty.SURGERY: Modality.SURGERY,
    Specialty.UROLOGY: Modality.SURGERY,
    Specialty.MEDICAL_ONCOLOGY: Modality.SYSTEMIC_THERAPY,
    Specialty.RADIATION_ONCOLOGY: Modality.RADIATION,
    Specialty.GASTROENTEROLOGY: Modality.FURTHER_WORKUP,
    Specialty.PULMONOLOGY: Modality.FURTHER_WORKUP,
    Specialty.GENETICS: Modality.OTHER,
    Specialty.PALLIATIVE_CARE: Modality.PALLIATIVE_SUPPORTIVE,
}

GUIDELINES = {
    SiteGroup.BREAST: "NCCN Breast Cancer",
    SiteGroup.THORACIC: "NCCN Non-Small Cell Lung Cancer",
    SiteGroup.COLORECTAL: "NCCN Rectal/Colon Cancer",
    SiteGroup.HEPATOBILIARY_PANCREAS: "NCCN Pancreatic Adenocarcinoma",
    SiteGroup.UPPER_GI: "NCCN Gastric Cancer",
    SiteGroup.PROSTATE: "NCCN Prostate Cancer",
    SiteGroup.BLADDER_KIDNEY: "NCCN Bladder/Kidney Cancer",
}

TRIALS = ("NRG-BR007 (DEBRA)", "Alliance A011801", "NCT05502237", "SWOG S1826", "ECOG-ACRIN EA5181", "NRG-GU009")

FIRST_NAMES = (
    "Maria",
    "John",
    "Linda",
    "Robert",
    "Patricia",
    "Michael",
    "Barbara",
    "William",
    "Elizabeth",
    "David",
    "Susan",
    "Richard",
    "Jessica",
    "Joseph",
    "Karen",
    "Thomas",
    "Nancy",
    "Charles",
    "Lisa",
    "Daniel",
    "Betty",
    "Matthew",
    "Sandra",
    "Anthony",
    "Ashley",
    "Mark",
    "Kimberly",
    "Donald",
    "Emily",
    "Steven",
    "Donna",
    "Paul",
    "Michelle",
    "Andrew",
    "Carol",
    "Joshua",
    "Amanda",
    "Kenneth",
    "Melissa",
    "Kevin",
    "Deborah",
    "Brian",
    "Stephanie",
    "George",
    "Rebecca",
    "Timothy",
    "Sharon",
    "Ronald",
    "Laura",
    "Edward",
    "Cynthia",
    "Jason",
    "Kathleen",
    "Jeffrey",
    "Amy",
    "Ryan",
    "Angela",
    "Jacob",
    "Shirley",
    "Gary",
    "Anna",
    "Nicholas",
    "Brenda",
    "Eric",
    "Pamela",
    "Jonathan",
    "Emma",
    "Stephen",
    "Nicole",
    "Larry",
    "Helen",
)
LAST_NAMES = (
    "Abernathy",
    "Bellweather",
    "Calloway",
    "Dunmore",
    "Eastwick",
    "Fairbanks",
    "Galloway",
    "Hartwell",
    "Ingersoll",
    "Jessup",
    "Kingsley",
    "Lockhart",
    "Merriweather",
    "Northcott",
    "Oakridge",
    "Pemberton",
    "Quillan",
    "Ravenscroft",
    "Sutherland",
    "Thistlewood",
    "Underhill",
    "Vantongeren",
    "Whitcombe",
    "Yarborough",
    "Zellweger",
    "Ashcroft",
    "Blackwood",
    "Cromwell",
    "Delacroix",
    "Ellsworth",
    "Fenwick",
    "Greenleaf",
    "Holloway",
    "Ironside",
    "Kettering",
    "Langford",
    "Montague",
    "Nightingale",
    "Ormsby",
    "Prescott",
    "Rutherford",
    "Sinclair",
    "Townsend",
    "Waverly",
)
# (payer, plan) of the second-opinion requests' insurance.
PAYERS = (
    ("Blue Cross Blue Shield", "PPO Blue"),
    ("Aetna", "Choice POS II"),
    ("UnitedHealthcare", "Choice Plus"),
    ("Medicare", "Part B"),
)
REFERRERS = (
    ("Dr. Anne Whitaker", "Lakeside Family Medicine", "12 Harbor Road\nLakeside, NY 14750"),
    ("Dr. Paul Grimaldi", "Valley Internal Medicine", "400 Main Street, Suite 2\nMillbrook, NY 12545"),
    ("Dr. Ruth Okonkwo", "Northside Women's Health", "77 Elm Avenue\nRiverton, NY 13440"),
    ("Dr. Henry Castillo", "Community Urology Associates", "9 Station Plaza\nGlenville, NY 12302"),
)
