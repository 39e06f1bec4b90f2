/* gen_data.c: the data generator's tables: names in several scripts with their ASCII
 * readings, places with consistent postal codes, time zones and phone plans, organizations. */
#include "sandbox/gen_data.h"

#define LEN(a) PS_ARRAY_LEN(a)

/* Tables laid out by hand, several entries a line. */
/* clang-format off */

static const gen_name english_first[] = {
    {"James", "james"},     {"Mary", "mary"},       {"Robert", "robert"},
    {"Patricia", "patricia"}, {"John", "john"},     {"Jennifer", "jennifer"},
    {"Michael", "michael"}, {"Linda", "linda"},     {"David", "david"},
    {"Elizabeth", "elizabeth"}, {"William", "william"}, {"Barbara", "barbara"},
    {"Richard", "richard"}, {"Susan", "susan"},     {"Joseph", "joseph"},
    {"Jessica", "jessica"}, {"Thomas", "thomas"},   {"Sarah", "sarah"},
    {"Christopher", "christopher"}, {"Karen", "karen"}, {"Daniel", "daniel"},
    {"Emily", "emily"},     {"Matthew", "matthew"}, {"Olivia", "olivia"},
    {"Anthony", "anthony"}, {"Ashley", "ashley"},   {"Mark", "mark"},
    {"Hannah", "hannah"},   {"Ryan", "ryan"},       {"Megan", "megan"},
    {"Kevin", "kevin"},     {"Rachel", "rachel"},   {"Brian", "brian"},
    {"Nicole", "nicole"},   {"Jason", "jason"},     {"Grace", "grace"},
    {"Tyler", "tyler"},     {"Madison", "madison"}, {"Ethan", "ethan"},
    {"Chloe", "chloe"},
};
static const gen_name english_last[] = {
    {"Smith", "smith"},     {"Johnson", "johnson"}, {"Williams", "williams"},
    {"Brown", "brown"},     {"Jones", "jones"},     {"Miller", "miller"},
    {"Davis", "davis"},     {"Wilson", "wilson"},   {"Anderson", "anderson"},
    {"Taylor", "taylor"},   {"Thomas", "thomas"},   {"Moore", "moore"},
    {"Jackson", "jackson"}, {"Martin", "martin"},   {"Lee", "lee"},
    {"Thompson", "thompson"}, {"White", "white"},   {"Harris", "harris"},
    {"Clark", "clark"},     {"Lewis", "lewis"},     {"Robinson", "robinson"},
    {"Walker", "walker"},   {"Young", "young"},     {"Allen", "allen"},
    {"King", "king"},       {"Wright", "wright"},   {"Scott", "scott"},
    {"Green", "green"},     {"Baker", "baker"},     {"Adams", "adams"},
    {"Nelson", "nelson"},   {"Hill", "hill"},       {"Campbell", "campbell"},
    {"Mitchell", "mitchell"}, {"O'Brien", "obrien"}, {"McCarthy", "mccarthy"},
    {"Murphy", "murphy"},   {"Kelly", "kelly"},     {"Sullivan", "sullivan"},
    {"Price", "price"},
};

/* Latin script with diacritics: Spanish, Portuguese, French, German, Nordic, Polish, Czech,
 * Turkish, Vietnamese. */
static const gen_name latin_first[] = {
    {"José", "jose"},       {"María", "maria"},     {"João", "joao"},
    {"Sofía", "sofia"},     {"Martín", "martin"},   {"Lucía", "lucia"},
    {"Zoë", "zoe"},         {"Chloé", "chloe"},     {"Hélène", "helene"},
    {"François", "francois"}, {"Léa", "lea"},       {"Noël", "noel"},
    {"Jürgen", "juergen"},  {"Jörg", "joerg"},      {"Björn", "bjorn"},
    {"Ólafur", "olafur"},   {"Søren", "soren"},     {"Åsa", "asa"},
    {"Łukasz", "lukasz"},   {"Małgorzata", "malgorzata"}, {"Tomáš", "tomas"},
    {"Zdeněk", "zdenek"},   {"Şükrü", "sukru"},     {"Çağla", "cagla"},
    {"Inés", "ines"},       {"Raúl", "raul"},       {"Andrés", "andres"},
    {"Renée", "renee"},     {"Thạnh", "thanh"},     {"Siobhán", "siobhan"},
    {"Gonçalo", "goncalo"}, {"Maëlle", "maelle"},
};
static const gen_name latin_last[] = {
    {"García", "garcia"},   {"Martínez", "martinez"}, {"González", "gonzalez"},
    {"Rodríguez", "rodriguez"}, {"Pérez", "perez"}, {"Sánchez", "sanchez"},
    {"Muñoz", "munoz"},     {"Gómez", "gomez"},     {"Conceição", "conceicao"},
    {"Simões", "simoes"},   {"Lefèvre", "lefevre"}, {"Bérénger", "berenger"},
    {"Müller", "mueller"},  {"Schäfer", "schaefer"}, {"Groß", "gross"},
    {"Köhler", "koehler"},  {"Jónsdóttir", "jonsdottir"}, {"Sigurðsson", "sigurdsson"},
    {"Østergaard", "ostergaard"}, {"Åberg", "aberg"}, {"Wójcik", "wojcik"},
    {"Dąbrowski", "dabrowski"}, {"Dvořák", "dvorak"}, {"Novotná", "novotna"},
    {"Çelik", "celik"},     {"Yılmaz", "yilmaz"},   {"Nguyễn", "nguyen"},
    {"Trần", "tran"},       {"Ó Briain", "obriain"}, {"Núñez", "nunez"},
};

static const gen_name cyrillic_first[] = {
    {"Дмитрий", "dmitry"},  {"Алексей", "alexey"},  {"Сергей", "sergey"},
    {"Андрей", "andrey"},   {"Иван", "ivan"},       {"Михаил", "mikhail"},
    {"Николай", "nikolay"}, {"Владимир", "vladimir"}, {"Юрий", "yuri"},
    {"Олег", "oleg"},       {"Анна", "anna"},       {"Мария", "maria"},
    {"Елена", "elena"},     {"Ольга", "olga"},      {"Наталья", "natalya"},
    {"Татьяна", "tatyana"}, {"Екатерина", "ekaterina"}, {"Светлана", "svetlana"},
    {"Ирина", "irina"},     {"Юлия", "yulia"},      {"Богдан", "bohdan"},
    {"Оксана", "oksana"},   {"Любовь", "lyubov"},   {"Фёдор", "fyodor"},
};
static const gen_name cyrillic_last[] = {
    {"Иванов", "ivanov"},   {"Смирнов", "smirnov"}, {"Кузнецов", "kuznetsov"},
    {"Попов", "popov"},     {"Соколов", "sokolov"}, {"Лебедев", "lebedev"},
    {"Козлов", "kozlov"},   {"Новиков", "novikov"}, {"Морозов", "morozov"},
    {"Петров", "petrov"},   {"Волков", "volkov"},   {"Соловьёв", "solovyov"},
    {"Васильев", "vasiliev"}, {"Зайцев", "zaitsev"}, {"Павлов", "pavlov"},
    {"Семёнов", "semenov"}, {"Голубев", "golubev"}, {"Виноградов", "vinogradov"},
    {"Шевченко", "shevchenko"}, {"Коваленко", "kovalenko"}, {"Бондаренко", "bondarenko"},
    {"Ткаченко", "tkachenko"},
};

static const gen_name greek_first[] = {
    {"Γιώργος", "giorgos"}, {"Δημήτρης", "dimitris"}, {"Κωνσταντίνος", "konstantinos"},
    {"Νίκος", "nikos"},     {"Γιάννης", "giannis"}, {"Παναγιώτης", "panagiotis"},
    {"Χρήστος", "christos"}, {"Βασίλης", "vasilis"}, {"Αθανάσιος", "athanasios"},
    {"Μιχάλης", "michalis"}, {"Μαρία", "maria"},    {"Ελένη", "eleni"},
    {"Αικατερίνη", "aikaterini"}, {"Βασιλική", "vasiliki"}, {"Σοφία", "sofia"},
    {"Αγγελική", "angeliki"}, {"Δέσποινα", "despoina"}, {"Ειρήνη", "eirini"},
    {"Χριστίνα", "christina"}, {"Φωτεινή", "foteini"},
};
static const gen_name greek_last[] = {
    {"Παπαδόπουλος", "papadopoulos"}, {"Βλάχος", "vlachos"}, {"Αγγελόπουλος", "angelopoulos"},
    {"Νικολάου", "nikolaou"}, {"Γεωργίου", "georgiou"}, {"Πετρίδης", "petridis"},
    {"Οικονόμου", "oikonomou"}, {"Δημητρίου", "dimitriou"}, {"Μακρής", "makris"},
    {"Αλεξίου", "alexiou"}, {"Κωνσταντίνου", "konstantinou"}, {"Παππάς", "pappas"},
    {"Καραγιάννης", "karagiannis"}, {"Ιωάννου", "ioannou"}, {"Χατζής", "chatzis"},
    {"Σταματόπουλος", "stamatopoulos"}, {"Μαυρίδης", "mavridis"}, {"Λαμπράκης", "lamprakis"},
};

/* Chinese, Japanese and Korean: given names first, family names last. */
static const gen_name cjk_first[] = {
    {"伟", "wei"},          {"芳", "fang"},         {"静", "jing"},
    {"强", "qiang"},        {"敏", "min"},          {"磊", "lei"},
    {"洋", "yang"},         {"艳", "yan"},          {"俊杰", "junjie"},
    {"秀英", "xiuying"},    {"子涵", "zihan"},      {"浩然", "haoran"},
    {"陽翔", "haruto"},     {"蓮", "ren"},          {"結衣", "yui"},
    {"さくら", "sakura"},   {"大翔", "hiroto"},     {"美咲", "misaki"},
    {"健太", "kenta"},      {"陽菜", "hina"},       {"민준", "minjun"},
    {"서연", "seoyeon"},    {"지호", "jiho"},       {"지민", "jimin"},
    {"하은", "haeun"},      {"도윤", "doyun"},
};
static const gen_name cjk_last[] = {
    {"王", "wang"},         {"李", "li"},           {"张", "zhang"},
    {"刘", "liu"},          {"陈", "chen"},         {"杨", "yang"},
    {"黄", "huang"},        {"赵", "zhao"},         {"周", "zhou"},
    {"吴", "wu"},           {"佐藤", "sato"},       {"鈴木", "suzuki"},
    {"高橋", "takahashi"},  {"田中", "tanaka"},     {"渡辺", "watanabe"},
    {"伊藤", "ito"},        {"山本", "yamamoto"},   {"中村", "nakamura"},
    {"김", "kim"},          {"이", "lee"},          {"박", "park"},
    {"최", "choi"},         {"정", "jung"},         {"강", "kang"},
};

static const gen_name arabic_first[] = {
    {"محمد", "mohammed"},   {"أحمد", "ahmed"},      {"علي", "ali"},
    {"عمر", "omar"},        {"يوسف", "youssef"},    {"خالد", "khaled"},
    {"حسن", "hassan"},      {"إبراهيم", "ibrahim"}, {"مصطفى", "mustafa"},
    {"طارق", "tarek"},      {"فاطمة", "fatima"},    {"عائشة", "aisha"},
    {"مريم", "maryam"},     {"نور", "nour"},        {"ليلى", "layla"},
    {"سارة", "sara"},       {"زينب", "zainab"},     {"هدى", "huda"},
    {"رانيا", "rania"},     {"ياسمين", "yasmin"},
};
static const gen_name arabic_last[] = {
    {"الحسيني", "alhusseini"}, {"المصري", "almasri"}, {"العلي", "alali"},
    {"حداد", "haddad"},     {"خوري", "khoury"},     {"نصار", "nassar"},
    {"منصور", "mansour"},   {"سليمان", "suleiman"}, {"عبدالله", "abdullah"},
    {"الشامي", "alshami"},  {"يونس", "younes"},     {"قاسم", "qasim"},
    {"الزهراني", "alzahrani"}, {"بكر", "bakr"},     {"عثمان", "othman"},
    {"جابر", "jaber"},      {"صالح", "saleh"},      {"الفاسي", "alfassi"},
};

static const gen_name devanagari_first[] = {
    {"आरव", "aarav"},       {"विवान", "vivaan"},    {"अर्जुन", "arjun"},
    {"रोहन", "rohan"},      {"राहुल", "rahul"},     {"अमित", "amit"},
    {"विक्रम", "vikram"},   {"सुरेश", "suresh"},    {"अनिल", "anil"},
    {"संजय", "sanjay"},     {"प्रिया", "priya"},    {"अनन्या", "ananya"},
    {"दिव्या", "divya"},    {"नेहा", "neha"},       {"पूजा", "pooja"},
    {"सुनीता", "sunita"},   {"कविता", "kavita"},    {"अदिति", "aditi"},
    {"ईशा", "isha"},        {"मीरा", "meera"},
};
static const gen_name devanagari_last[] = {
    {"शर्मा", "sharma"},    {"वर्मा", "verma"},     {"गुप्ता", "gupta"},
    {"सिंह", "singh"},      {"कुमार", "kumar"},     {"पटेल", "patel"},
    {"जोशी", "joshi"},      {"मेहता", "mehta"},     {"अग्रवाल", "agarwal"},
    {"चौधरी", "chaudhary"}, {"मिश्रा", "mishra"},   {"पांडे", "pandey"},
    {"यादव", "yadav"},      {"देसाई", "desai"},     {"कपूर", "kapoor"},
    {"श्रीवास्तव", "srivastava"}, {"त्रिपाठी", "tripathi"}, {"नायर", "nair"},
};

#define CULTURE(label, f, l, w, cased) {label, f, LEN(f), l, LEN(l), w, cased}
const gen_culture gen_cultures[] = {
    CULTURE("english", english_first, english_last, 45, true),
    CULTURE("latin", latin_first, latin_last, 22, true),
    CULTURE("cyrillic", cyrillic_first, cyrillic_last, 7, true),
    CULTURE("greek", greek_first, greek_last, 5, true),
    CULTURE("cjk", cjk_first, cjk_last, 9, false),
    CULTURE("arabic", arabic_first, arabic_last, 6, false),
    CULTURE("devanagari", devanagari_first, devanagari_last, 6, false),
};
const size_t gen_n_cultures = LEN(gen_cultures);

const gen_place gen_places[] = {
    {"San Francisco", "CA", "941##", "US", "America/Los_Angeles", "1", "415" "N######",
     {"Market St", "Valencia St", "Mission St", "Geary Blvd"}, true, 8},
    {"New York", "NY", "100##", "US", "America/New_York", "1", "212" "N######",
     {"Broadway", "W 34th St", "Lexington Ave", "Houston St"}, true, 9},
    {"Brooklyn", "NY", "112##", "US", "America/New_York", "1", "718" "N######",
     {"Atlantic Ave", "Bedford Ave", "Flatbush Ave", "Court St"}, true, 4},
    {"Chicago", "IL", "606##", "US", "America/Chicago", "1", "312" "N######",
     {"N Michigan Ave", "W Madison St", "N Clark St", "S State St"}, true, 6},
    {"Austin", "TX", "787##", "US", "America/Chicago", "1", "512" "N######",
     {"Congress Ave", "E 6th St", "S Lamar Blvd", "Guadalupe St"}, true, 5},
    {"Houston", "TX", "770##", "US", "America/Chicago", "1", "713" "N######",
     {"Westheimer Rd", "Main St", "Kirby Dr", "Richmond Ave"}, true, 4},
    {"Seattle", "WA", "981##", "US", "America/Los_Angeles", "1", "206" "N######",
     {"Pike St", "Pine St", "1st Ave", "Rainier Ave S"}, true, 5},
    {"Denver", "CO", "802##", "US", "America/Denver", "1", "303" "N######",
     {"Colfax Ave", "Larimer St", "S Broadway", "Blake St"}, true, 4},
    {"Boston", "MA", "021##", "US", "America/New_York", "1", "617" "N######",
     {"Boylston St", "Newbury St", "Tremont St", "Commonwealth Ave"}, true, 5},
    {"Miami", "FL", "331##", "US", "America/New_York", "1", "305" "N######",
     {"Collins Ave", "Brickell Ave", "SW 8th St", "Biscayne Blvd"}, true, 4},
    {"Atlanta", "GA", "303##", "US", "America/New_York", "1", "404" "N######",
     {"Peachtree St NE", "Ponce de Leon Ave", "Edgewood Ave", "Marietta St"}, true, 4},
    {"Phoenix", "AZ", "850##", "US", "America/Phoenix", "1", "602" "N######",
     {"E Camelback Rd", "N Central Ave", "W Thomas Rd", "E Van Buren St"}, true, 3},
    {"Portland", "OR", "972##", "US", "America/Los_Angeles", "1", "503" "N######",
     {"NW 23rd Ave", "SE Hawthorne Blvd", "N Mississippi Ave", "SW Broadway"}, true, 3},
    {"Minneapolis", "MN", "554##", "US", "America/Chicago", "1", "612" "N######",
     {"Nicollet Mall", "Hennepin Ave", "Lake St", "University Ave"}, true, 3},
    {"Anchorage", "AK", "995##", "US", "America/Anchorage", "1", "907" "N######",
     {"W 4th Ave", "C St", "Northern Lights Blvd", "Spenard Rd"}, true, 1},
    {"Honolulu", "HI", "968##", "US", "Pacific/Honolulu", "1", "808" "N######",
     {"Kalakaua Ave", "Kapiolani Blvd", "S King St", "Ala Moana Blvd"}, true, 1},
    {"Toronto", "ON", "M5V #@#", "CA", "America/Toronto", "1", "416" "N######",
     {"Queen St W", "King St W", "Yonge St", "Spadina Ave"}, true, 5},
    {"Vancouver", "BC", "V6B #@#", "CA", "America/Vancouver", "1", "604" "N######",
     {"Granville St", "Robson St", "W Hastings St", "Main St"}, true, 3},
    {"Montréal", "QC", "H2X #@#", "CA", "America/Toronto", "1", "514" "N######",
     {"Rue Sainte-Catherine O", "Boulevard Saint-Laurent", "Rue Sherbrooke E", "Avenue du Mont-Royal E"},
     true, 3},
    {"London", "England", "SW1A #@@", "GB", "Europe/London", "44", "7###" "######",
     {"High Street", "Baker Street", "Camden Road", "Upper Street"}, true, 5},
    {"Manchester", "England", "M1 #@@", "GB", "Europe/London", "44", "7###" "######",
     {"Deansgate", "Oxford Road", "Market Street", "Portland Street"}, true, 2},
    {"Berlin", "Berlin", "10###", "DE", "Europe/Berlin", "49", "15#" "########",
     {"Friedrichstraße", "Kastanienallee", "Torstraße", "Karl-Marx-Allee"}, false, 3},
    {"München", "Bayern", "80###", "DE", "Europe/Berlin", "49", "17#" "########",
     {"Leopoldstraße", "Maximilianstraße", "Sendlinger Straße", "Schellingstraße"}, false, 2},
    {"Sydney", "NSW", "20##", "AU", "Australia/Sydney", "61", "4##" "######",
     {"George St", "Pitt St", "Oxford St", "King St"}, true, 3},
    {"Melbourne", "VIC", "30##", "AU", "Australia/Melbourne", "61", "4##" "######",
     {"Collins St", "Flinders St", "Lygon St", "Brunswick St"}, true, 2},
    {"Paris", "Île-de-France", "7500#", "FR", "Europe/Paris", "33", "6########",
     {"Rue de Rivoli", "Boulevard Saint-Germain", "Rue Oberkampf", "Avenue de la République"},
     true, 3},
    {"Lyon", "Auvergne-Rhône-Alpes", "6900#", "FR", "Europe/Paris", "33", "7########",
     {"Rue de la République", "Cours Lafayette", "Rue Mercière", "Quai Saint-Antoine"}, true, 1},
};
const size_t gen_n_places = LEN(gen_places);

const char *const gen_organizations[] = {
    "Acme Robotics",        "Blue Harbor Consulting", "Northwind Traders",
    "Summit Health Group",  "Cedar & Pine Studio",    "Brightline Analytics",
    "Redwood Legal LLP",    "Harborview Dental",      "Atlas Logistics",
    "Quantum Leaf Labs",    "Silver Birch Events",    "Meridian Capital",
    "Orchard Street Bakery", "Polaris Software",      "Granite Peak Realty",
    "Lumen Design Co.",     "Riverside Community College", "Helix Biotech",
    "Copperline Media",     "Evergreen Nonprofit Alliance", "Nordlicht GmbH",
    "Maison Lumière SARL",  "Southern Cross Pty Ltd", "Thames Valley Partners",
};
const size_t gen_n_organizations = LEN(gen_organizations);

const char *const gen_titles[] = {
    "Marketing Manager",   "Software Engineer",      "Event Coordinator",
    "Chief Executive Officer", "Sales Director",     "Operations Lead",
    "Product Manager",     "Account Executive",      "Head of Partnerships",
    "Office Manager",      "Community Manager",      "Data Analyst",
    "Founder",             "Registrar",              "Head of People",
    "Consultant",          "Professor",              "Nurse Practitioner",
};
const size_t gen_n_titles = LEN(gen_titles);

const char *const gen_handles[] = {
    "bluefalcon", "quietriver", "sunnyfox",   "nightowl",  "pixelpilot", "coffeecat",
    "stormchaser", "redkite",   "lazybear",   "moonwalker", "tinyrocket", "oldmaple",
    "wildfern",   "silverfin",  "happyotter", "greenbean",
};
const size_t gen_n_handles = LEN(gen_handles);

const char *const gen_mail_domains[] = {
    "example.com", "example.net", "example.org", "mail.example.com", "inbox.example.net",
    "post.example.org",
};
const size_t gen_n_mail_domains = LEN(gen_mail_domains);
/* clang-format on */
