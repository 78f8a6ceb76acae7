package cekbansos

import (
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/program"
)

// Category is a public reason why a family receives nothing from a
// program. Categories say nothing about other people: never a quota's
// count, a neighbour's decile, or which member of the family a rule hit.
type Category string

const (
	NotRegistered Category = "not_registered"       // not in the register: how to be proposed
	AboveDecile   Category = "above_decile"         // ranked above the program's decile limit
	Excluded      Category = "excluded"             // excluded under a named category (Reason.Sub)
	Waiting       Category = "waiting_verification" // not ranked yet, registered after the determination, or under review
	QuotaReached  Category = "quota_reached"        // eligible, but the region's quota was used up by poorer families
	NeedNIK       Category = "need_nik"             // the message of a name matching several families
	Resigned      Category = "resigned"             // the family resigned from the program (a ratified proposal)
)

// Excluded sub-categories.
const (
	SubOccupation = "occupation"    // a member works in an excluded occupation (ASN, TNI/Polri, ...)
	SubInactive   = "inactive_data" // the family's or the members' register status is not active
	SubNotTarget  = "not_target"    // the family is outside the program's target group
)

// Reason is one public reason, with its text in both languages.
type Reason struct {
	Category Category `json:"category"`
	Sub      string   `json:"subcategory,omitempty"`
	ID       string   `json:"id"`
	EN       string   `json:"en"`
}

// Text returns the reason in lang ("en" or Indonesian).
func (r Reason) Text(lang string) string {
	if lang == "en" {
		return r.EN
	}
	return r.ID
}

// NotFoundByName is the message key of a name not found in a village.
const NotFoundByName = "name_not_found"

var reasons = map[string]Reason{
	string(NeedNIK): {Category: NeedNIK,
		ID: "Nama ini cocok dengan anggota lebih dari satu keluarga di desa/kelurahan ini. Periksa dengan NIK.",
		EN: "This name matches members of more than one family in this village. Check with the NIK instead."},
	NotFoundByName: {Category: NotRegistered,
		ID: "Nama tidak ditemukan di desa/kelurahan ini. Periksa ejaan nama sesuai KTP, atau periksa dengan NIK. Jika memang belum terdaftar, datangi kantor desa/kelurahan atau ikuti musyawarah desa/kelurahan (Musdes/Muskel) untuk diusulkan.",
		EN: "The name was not found in this village. Check the spelling against the KTP, or check with the NIK. If the family is not registered, go to the village office or attend the village meeting (Musdes/Muskel) to be proposed."},
	string(NotRegistered): {Category: NotRegistered,
		ID: "Belum terdaftar dalam Data Terpadu. Untuk diusulkan, datangi kantor desa/kelurahan atau ikuti musyawarah desa/kelurahan (Musdes/Muskel) dengan membawa KTP dan Kartu Keluarga; usulan diverifikasi oleh dinas sosial kabupaten/kota.",
		EN: "Not in the integrated social register. To be proposed, go to the village office or attend the village meeting (Musdes/Muskel) with your KTP and family card (KK); proposals are verified by the district social office."},
	string(AboveDecile): {Category: AboveDecile,
		ID: "Terdaftar, tetapi peringkat kesejahteraan keluarga berada di atas batas desil program ini.",
		EN: "Registered, but the family's welfare ranking is above this program's decile limit."},
	SubOccupation: {Category: Excluded, Sub: SubOccupation,
		ID: "Dikecualikan: ada anggota keluarga dengan pekerjaan yang dikecualikan (misalnya ASN, TNI/Polri, pegawai BUMN/BUMD, anggota legislatif).",
		EN: "Excluded: a family member works in an excluded occupation (for example civil servant, military or police, state-company employee, legislator)."},
	SubInactive: {Category: Excluded, Sub: SubInactive,
		ID: "Dikecualikan: status data keluarga atau anggotanya tidak aktif (misalnya pindah atau meninggal). Perbarui data melalui desa/kelurahan.",
		EN: "Excluded: the register status of the family or its members is not active (for example moved or deceased). Update the data through the village office."},
	SubNotTarget: {Category: Excluded, Sub: SubNotTarget,
		ID: "Dikecualikan: keluarga tidak termasuk kelompok sasaran program ini (tidak ada anggota yang memenuhi kriteria program).",
		EN: "Excluded: the family is not in this program's target group (no member meets the program's criteria)."},
	string(Resigned): {Category: Resigned,
		ID: "Keluarga mengundurkan diri dari program ini melalui usulan yang telah disahkan. Untuk menerima kembali, ajukan usulan penerima program melalui desa/kelurahan (Musdes/Muskel).",
		EN: "The family resigned from this program through a ratified proposal. To receive it again, file a proposal through the village office (Musdes/Muskel)."},
	string(Waiting): {Category: Waiting,
		ID: "Menunggu verifikasi: data keluarga sedang diperingkat atau diperiksa, atau baru masuk setelah penetapan terakhir. Periksa kembali setelah penetapan berikutnya.",
		EN: "Waiting for verification: the family's data is being ranked or checked, or was added after the latest determination. Check again after the next determination."},
	string(QuotaReached): {Category: QuotaReached,
		ID: "Memenuhi syarat, tetapi kuota wilayah untuk periode ini sudah terpenuhi oleh keluarga yang lebih membutuhkan. Keluarga tetap tercatat untuk periode berikutnya.",
		EN: "Eligible, but the region's quota for this period was filled by families in greater need. The family stays on record for the next period."},
}

// codeReason maps a determination's reason code to its public reason key.
// Codes of rules written later fall back to SubNotTarget: a rule that says
// no is a criterion of the program.
var codeReason = map[string]string{
	determination.ReasonNotInBase: string(NotRegistered),
	program.ReasonDecile:          string(AboveDecile),
	program.ReasonQuota:           string(QuotaReached),
	program.ReasonUnranked:        string(Waiting),
	program.ReasonRuleError:       string(Waiting),
	program.ReasonFamilyInactive:  SubInactive,
	program.ReasonNoActiveMember:  SubInactive,
	program.ReasonMemberInactive:  SubInactive,
	"pekerjaan_dikecualikan":      SubOccupation,
	determination.ReasonResigned:  string(Resigned),
}

// ignoredCodes explain an eligible family's amount, not a refusal.
var ignoredCodes = map[string]bool{
	determination.ReasonEligible: true, program.ReasonCounted: true, program.ReasonCountedOnce: true,
	program.ReasonNotEnrolled: true, program.ReasonOrderLimit: true, program.ReasonChildLimit: true,
	program.ReasonComponentLimit: true, determination.ReasonProposed: true,
}

// order ranks the public reasons, the most fundamental first.
var order = []string{string(NotRegistered), string(Resigned), SubInactive, string(Waiting), string(AboveDecile), SubOccupation, SubNotTarget, string(QuotaReached)}

// publicReasons turns reason codes into distinct public reasons in order.
func publicReasons(codes []string) []Reason {
	seen := map[string]bool{}
	for _, c := range codes {
		if ignoredCodes[c] {
			continue
		}
		k, ok := codeReason[c]
		if !ok {
			k = SubNotTarget
		}
		seen[k] = true
	}
	if len(seen) == 0 {
		seen[SubNotTarget] = true
	}
	var out []Reason
	for _, k := range order {
		if seen[k] {
			out = append(out, reasons[k])
		}
	}
	return out
}

// reasonOf returns the public reason of a key.
func reasonOf(k Category) Reason { return reasons[string(k)] }
