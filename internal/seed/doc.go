// Package seed generates a deterministic synthetic population of Indonesian
// families in the register import format (docs/import-format.md): one row
// per person, the members of a family on consecutive rows, head first.
//
// The same Options always give byte-identical output: every random choice
// comes from one PCG stream (math/rand/v2) seeded from Options.Seed, and no
// output depends on map iteration order.
//
// Rows: no_kk and kode_wilayah are on every row of a family; the other family
// columns (address, coordinates, housing, assets, livestock) only on the
// family's first (head) row, as the import format allows.
//
// Rates used (approximate; they are targets of the sampling, not guarantees):
//
//   - Family size: 1 11%, 2 19%, 3 23%, 4 22%, 5 13%, 6 6.5%, 7 3%, 8 1.5%,
//     9 1% (mean ≈ 3.5). Larger families are a little poorer.
//   - Families of two or more: 84% a couple (head male, istri usually 2-10
//     years younger; 3% a female head with suami), 16% a single parent (75%
//     a woman, cerai_mati 60% / cerai_hidup 40%). One-person families: young
//     singles 45%, lone elderly (60-90, mostly widows) 40%, divorced or
//     widowed middle-aged 15%. Heads are 22-80 (mostly 25-75).
//   - Children spaced 1-5 years, mother 18-44 at their births; 12% of families
//     of three or more with a head up to 60 have one or two elderly parents
//     (orang_tua or mertua); 35% of families whose mother is 40+ have one or
//     two grandchildren (cucu), half of them with a menantu.
//   - Latent welfare: z ~ N(0,1), +0.35 in kelurahan, -0.25 in desa (village
//     digit 2 or 3), -0.12 per member above 3.5. Housing (floor, wall, roof,
//     water, sanitation, electricity, cooking fuel), floor area, assets,
//     excluded occupations and schooling are monotone in z plus noise, so a
//     proxy-means test recovers it; livestock is mostly rural (poultry 45% of
//     desa families, 10% of kelurahan), pigs mainly where they are common
//     (Sumut, Bali, NTT, Sulut, Papua).
//   - School enrolment by age, poorest to best-off: paud 4-6 30-65%, sd 7-12
//     94-98%, smp 13-15 82-96% of SD completers, sma 16-18 58-90% of SMP
//     completers (≈ 60% of all 16-18), pt 19-22 7-55% of SMA completers; the
//     same transitions give adults' pendidikan, lower for older cohorts. Enrolled children except paud have a unique 10-digit id_sekolah
//     (3 digits of the birth year, 7 scrambled serial digits).
//   - Occupation by age, sex, desa/kelurahan and welfare. Excluded occupations
//     (ASN, TNI, Polri, pensiunan, perangkat desa, certified teacher, health
//     worker, doctor, lecturer, BUMN employee, company owner, migrant worker)
//     ≈ 4% of working adults aged 19-64, steeply rising with welfare and
//     education (logistic(-3.7 + 0.9·z + education bonus)); pensiunan for
//     some better-off people of 58+.
//   - Disability ≈ 2.5% of people (1.2% of children, 2% of adults, 8% of 60+),
//     20% of them 'berat'. Pregnancy ≈ 2% of married women 18-45.
//   - PPKS: penyandang_disabilitas for 70% of disabled people in the poorer
//     40% (30% otherwise); lansia_terlantar for half of the poor lone elderly;
//     fakir_miskin for 60% of heads in the poorest 10%; perempuan_rawan_sosial_
//     ekonomi for 30% of poor female heads; anak_terlantar for 10% of poor
//     out-of-school children; korban_bencana 0.3% of families;
//     komunitas_adat_terpencil for 20% of families in desa adat villages.
//   - NIK: district of the village (2% another district of the same province),
//     day (+40 for women), month, year, unique serial. KK: district, an issue
//     date after the youngest member's birth and the head's adulthood (at most
//     25 years ago, never in the future), unique serial.
//   - Names upper case as on the KTP: about half of people carry a single name,
//     12% of men have a leading MUHAMMAD, 10% of women SITI; children often
//     take the father's family name (sons 70%, daughters 45%); nama_ibu is
//     filled for 90%. Addresses "Jl. Melati No. 12" (kelurahan) or
//     "Dusun III" (desa), rt 001-015, rw 001-008; coordinates for half of the
//     families, near a point derived from the village code.
//
// Dirty > 0 injects errors into about Dirty of the (real) rows, one error per
// row, with these shares: name_typo 22%, name_single 10%, name_swap 6%,
// name_variant (Muhammad/Muhamad/Moh./Mohammad/Moch./M., Siti/St.) 12%,
// date_swap (day and month of tanggal_lahir) 10%, duplicate_person (an extra
// row copying a person of an earlier family, half of them with a new NIK) 15%,
// shared_nik (the NIK of another person) 5%, nik_letter 7%, nik_short
// (15 digits) 7%, nik_day32 (day 32, 72 for women) 6%. A kind that does not
// apply to a row (a single-word name, a day above 12, nothing to copy yet) is
// redrawn. The truth records tell which rows are the same real person.
package seed
