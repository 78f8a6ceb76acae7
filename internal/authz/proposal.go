package authz

// Proposal actions (internal/proposal, docs/proposals.md): each step of an
// item's path is held by the level entitled to it. The district office
// holds ratification, acting for the regent or mayor who signs the decree.
const (
	ProposalRead     Action = "proposal.read"     // queues, items, sessions, dashboards
	ProposalSubmit   Action = "proposal.submit"   // a walk-in usul or a change request entered by an operator
	ProposalVillage  Action = "proposal.village"  // village check and the Musdes/Muskel session
	ProposalVerify   Action = "proposal.verify"   // field verification (verivali) of an item
	ProposalDistrict Action = "proposal.district" // district check, batches, objections (sanggah)
	ProposalRatify   Action = "proposal.ratify"   // ratification for the regent/mayor; applies to the register
)

func init() {
	Actions = append(Actions,
		ActionInfo{ProposalRead, "Lihat usulan, sanggahan, musyawarah dan dasbor"},
		ActionInfo{ProposalSubmit, "Catat usulan warga yang datang langsung dan permohonan perubahan data"},
		ActionInfo{ProposalVillage, "Periksa usulan di desa dan kelola Musdes/Muskel"},
		ActionInfo{ProposalVerify, "Catat verifikasi lapangan (verivali)"},
		ActionInfo{ProposalDistrict, "Periksa usulan di kabupaten/kota, kirim batch, putuskan sanggahan"},
		ActionInfo{ProposalRatify, "Sahkan usulan atas nama bupati/wali kota (diterapkan ke register)"},
	)
	grant := map[Role][]Action{
		Admin:        {ProposalRead, ProposalSubmit, ProposalVillage, ProposalVerify, ProposalDistrict, ProposalRatify},
		Pusdatin:     {ProposalRead},
		Province:     {ProposalRead},
		District:     {ProposalRead, ProposalDistrict, ProposalRatify},
		Village:      {ProposalRead, ProposalSubmit, ProposalVillage, ProposalVerify},
		SocialWorker: {ProposalRead, ProposalVerify},
		Inspectorate: {ProposalRead},
	}
	for r, as := range grant {
		matrix[r] = append(matrix[r], as...)
	}
}
